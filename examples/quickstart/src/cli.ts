/**
 * One step of the quickstart per process:
 *   node dist/cli.js run "<request>" | approve <runId> <user> | resume <runId>
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, type AgentRun } from '@kestrion/agent';
import { openStore } from '@kestrion/store';
import { chooseProvider } from './choose-provider';
import { OpsAgent } from './ops-agent';

function show(run: AgentRun): string {
  const lines = [`run=${run.id}`, `status=${run.status}`];
  for (const p of run.pending) lines.push(`pending approval: ${p.tool} ${JSON.stringify(p.args)}`);
  if (run.lastMessage) lines.push(`model: ${run.lastMessage}`);
  lines.push(`events=${run.eventCount} tokens=${run.totals.inputTokens + run.totals.outputTokens}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const [command, arg, who] = process.argv.slice(2);
  mkdirSync('.kestrion', { recursive: true });
  const { provider, model, label } = await chooseProvider();
  console.log(`provider: ${label}`);
  const store = await openStore(process.env.KESTRION_STORE ?? 'sqlite://.kestrion/quickstart.db');
  const ops = new Agent(new OpsAgent(), {
    provider,
    store,
    model,
    manifest: join(__dirname, '..', 'kestrion.manifest.json'),
  });
  try {
    if (command === 'run')
      console.log(show(await ops.run(arg ?? "Scale up checkout-api if it's under 3 replicas")));
    else if (command === 'approve' && arg && who) console.log(show(await ops.approve(arg, { by: who })));
    else if (command === 'resume' && arg) console.log(show(await ops.resume(arg)));
    else {
      console.error('usage: cli.js run "<request>" | approve <runId> <user> | resume <runId>');
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
