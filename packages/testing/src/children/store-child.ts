/**
 * A child process for the store contract's multi-process tests. Modes:
 * - `race <url> <runId> <writer> <target>`: waits for "go" on stdin, then keeps appending
 *   one event at the head it last saw until the run reaches `target` events; prints the
 *   seqs it won as JSON.
 * - `batches <url> <runId> <batchSize>`: appends batches forever, printing each committed
 *   batch number; the parent SIGKILLs it at a random moment.
 */
import { ConcurrencyError } from '@kestrion/core';
import { openStore } from '@kestrion/store';

async function race(url: string, runId: string, writer: string, target: number): Promise<void> {
  const store = await openStore(url);
  await new Promise<void>((res) => process.stdin.once('data', () => res()));
  process.stdin.destroy(); // an open stdin would keep this process alive after the race
  const wins: number[] = [];
  let losses = 0;
  for (;;) {
    const head = (await store.getRun(runId))?.headSeq ?? 0;
    if (head >= target) break;
    const seq = head + 1;
    try {
      await store.append(runId, head, [
        {
          id: `${writer}-${seq}`,
          type: 'node.entered',
          at: new Date().toISOString(),
          data: { node: writer, visit: seq },
        },
      ]);
      wins.push(seq);
    } catch (e) {
      if (!(e instanceof ConcurrencyError)) throw e;
      losses += 1;
    }
  }
  process.stdout.write(JSON.stringify({ writer, wins, losses }) + '\n');
  await store.close();
}

async function batches(url: string, runId: string, size: number): Promise<void> {
  const store = await openStore(url);
  let head = (await store.getRun(runId))?.headSeq ?? 0;
  for (let b = Math.ceil(head / size) + 1; ; b++) {
    const events = Array.from({ length: size }, (_, i) => ({
      id: `b${b}-${i}`,
      type: 'node.entered',
      at: new Date().toISOString(),
      data: { node: `batch-${b}`, visit: i, pad: 'x'.repeat(200) },
    }));
    head = (await store.append(runId, head, events)).headSeq;
    process.stdout.write(`committed ${b}\n`);
  }
}

const [mode, url = '', runId = '', a = '', b = ''] = process.argv.slice(2);
const main = mode === 'race' ? race(url, runId, a, Number(b)) : batches(url, runId, Number(a));
main.catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
