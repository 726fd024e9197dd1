/** `npm start`: run (parks at the gate), approve as alice, resume — three separate processes. */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

rmSync('.kestrion', { recursive: true, force: true });
const cli = join(__dirname, 'cli.js');
function step(title: string, args: string[]): string {
  console.log(
    `\n# ${title}\n$ node dist/cli.js ${args.map((a) => (a.includes(' ') ? JSON.stringify(a) : a)).join(' ')}`,
  );
  const out = execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  process.stdout.write(out);
  return out;
}
const started = step('process 1 of 3: run until the agent needs approval', [
  'run',
  "Scale up checkout-api if it's under 3 replicas",
]);
const runId = /run=(\S+)/.exec(started)?.[1];
if (!runId) throw new Error('the run step printed no run id');
step('process 2 of 3: approve as alice', ['approve', runId, 'alice']);
step('process 3 of 3: resume to completion', ['resume', runId]);
