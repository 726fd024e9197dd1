/**
 * The kubectl agent as a command, one process per step:
 *   node dist/cli.js start "<request>"      start a run; it parks at the gated apply
 *   node dist/cli.js approve <runId> <who>  approve the pending call as a named user
 *   node dist/cli.js resume <runId>         drive the run to its end
 * Store: KESTRION_STORE (default sqlite://.kestrion/kubectl-demo.db).
 */
import { mkdirSync } from 'node:fs';
import { Engine, type RunView } from '@kestrion/core';
import { openStore } from '@kestrion/store';
import { FakeCluster } from './fake-cluster';
import { kubectlGraph, scriptedSre } from './kubectl-graph';

const STATE_DIR = process.env.KUBECTL_DEMO_DIR ?? '.kestrion';

function describe(view: RunView): string {
  const lines = [`run=${view.runId}`, `status=${view.status} current_node=${view.currentNode ?? '-'}`];
  for (const p of view.pending)
    lines.push(`pending approval: call=${p.callId} tool=${p.tool} args=${JSON.stringify(p.args)}`);
  if (view.status === 'completed') lines.push(`result=${JSON.stringify(view.output)}`);
  if (view.error) lines.push(`error=${view.error.code}: ${view.error.message}`);
  lines.push(`events=${view.eventCount}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const [command, arg, who] = process.argv.slice(2);
  mkdirSync(STATE_DIR, { recursive: true });
  const store = await openStore(process.env.KESTRION_STORE ?? `sqlite://${STATE_DIR}/kubectl-demo.db`);
  const engine = new Engine({
    store,
    graph: kubectlGraph(new FakeCluster(`${STATE_DIR}/cluster.json`)),
    provider: scriptedSre(),
  });
  try {
    if (command === 'start')
      console.log(describe(await engine.run(arg ?? "Scale up checkout-api if it's under 3 replicas")));
    else if (command === 'approve' && arg && who) {
      const view = await engine.approve(arg, { by: who });
      console.log(`approved by ${who}\n${describe(view)}`);
    } else if (command === 'resume' && arg) console.log(describe(await engine.resume(arg)));
    else {
      console.error('usage: cli.js start "<request>" | approve <runId> <user> | resume <runId>');
      process.exitCode = 2;
    }
  } finally {
    await store.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? `${e.name}: ${e.message}` : e);
  process.exit(1);
});
