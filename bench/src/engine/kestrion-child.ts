/**
 * A fresh Kestrion process for the engine bench; prints one JSON line.
 *   ready <db>            imports + store open + engine built; reports ms since process start
 *   resume <db> <ids> [c] approve and resume every parked run, c at a time (default 1)
 *   park-rss <db> <n>     start and park n runs, report RSS
 */
import { readFileSync } from 'node:fs';
import { Engine } from '@kestrion/core';
import { openStore } from '@kestrion/store';
import { forEachConcurrently } from './concurrently';
import { approvalGraph } from './kestrion-graphs';
import { runChildMain } from './child-main';

async function main(): Promise<void> {
  const [mode, db = '', arg = '', concurrency = '1'] = process.argv.slice(2);
  const store = await openStore(`sqlite://${db}?synchronous=NORMAL`);
  const engine = new Engine({ store, graph: approvalGraph() });
  try {
    // performance.now() counts from the moment this process started (performance.timeOrigin).
    if (mode === 'ready') return void process.stdout.write(JSON.stringify({ ms: performance.now() }) + '\n');
    if (mode === 'park-rss') {
      for (let i = 0; i < Number(arg); i++) await engine.run(i);
      global.gc?.();
      return void process.stdout.write(JSON.stringify({ rss: process.memoryUsage().rss }) + '\n');
    }
    const ids = JSON.parse(readFileSync(arg, 'utf8')) as string[];
    const t0 = performance.now();
    let done = 0;
    await forEachConcurrently(ids, Number(concurrency), async (id) => {
      await engine.approve(id, { by: 'bench' });
      if ((await engine.resume(id)).status === 'completed') done += 1;
    });
    process.stdout.write(JSON.stringify({ ms: performance.now() - t0, done }) + '\n');
  } finally {
    await store.close();
  }
}

runChildMain(main);
