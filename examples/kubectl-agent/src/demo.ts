/**
 * `npm run demo`: the kubectl agent in three separate processes on the embedded SQLite
 * store — start (parks at the approval gate), approve as alice, resume to completion.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const cli = join(__dirname, 'cli.js');
const dir = process.env.KUBECTL_DEMO_DIR ?? '.kestrion';
rmSync(dir, { recursive: true, force: true });

function step(title: string, args: string[]): string {
  console.log(
    `\n$ node cli.js ${args.map((a) => (a.includes(' ') ? JSON.stringify(a) : a)).join(' ')}   # ${title}`,
  );
  const out = execFileSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, KUBECTL_DEMO_DIR: dir },
  });
  process.stdout.write(out);
  return out;
}

const started = step('process 1 of 3: start', ['start', "Scale up checkout-api if it's under 3 replicas"]);
const runId = /run=(\S+)/.exec(started)?.[1];
if (!runId) throw new Error('the start step printed no run id');
step('process 2 of 3: approve as alice', ['approve', runId, 'alice']);
step('process 3 of 3: resume', ['resume', runId]);
console.log(`\nstore: sqlite://${dir}/kubectl-demo.db  cluster: ${dir}/cluster.json`);
