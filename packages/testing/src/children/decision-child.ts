/**
 * Races a decision against another process: `decision-child <storeUrl> <runId> approve|reject <by>`.
 * Waits for a line on stdin, decides, prints `{"ok":true}` or `{"error":"<code>"}`.
 */
import { Engine, KestrionError, defineGraph, END } from '@kestrion/core';
import { openStore } from '@kestrion/store';

async function main(): Promise<void> {
  const [url = '', runId = '', kind = '', by = ''] = process.argv.slice(2);
  const store = await openStore(url);
  const graph = defineGraph({ name: 'race', start: 'a', nodes: { a: () => ({ next: END, output: null }) } });
  const engine = new Engine({ store, graph });
  await new Promise<void>((res) => process.stdin.once('data', () => res()));
  process.stdin.destroy();
  try {
    if (kind === 'approve') await engine.approve(runId, { by });
    else await engine.reject(runId, { by, reason: `rejected by ${by}` });
    process.stdout.write(JSON.stringify({ ok: true }) + '\n');
  } catch (e) {
    if (!(e instanceof KestrionError)) throw e;
    process.stdout.write(JSON.stringify({ error: e.code }) + '\n');
  } finally {
    await store.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
