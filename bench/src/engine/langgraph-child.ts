/**
 * A fresh LangGraph process for the engine bench; prints one JSON line.
 *   ready <db>           imports + SqliteSaver + compiled graph; reports ms since process start
 *   resume <db> <ids> [c] resume every interrupted thread with Command({ resume: 'approved' }),
 *                        c at a time (default 1)
 */
import { readFileSync } from 'node:fs';
import { Command } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { forEachConcurrently } from './concurrently';
import { lgApproval } from './langgraph-graphs';
import { runChildMain } from './child-main';

async function main(): Promise<void> {
  const [mode, db = '', arg = '', concurrency = '1'] = process.argv.slice(2);
  const effects = { n: 0 };
  const graph = lgApproval(SqliteSaver.fromConnString(db), effects);
  // performance.now() counts from the moment this process started (performance.timeOrigin).
  if (mode === 'ready') return void process.stdout.write(JSON.stringify({ ms: performance.now() }) + '\n');
  const ids = JSON.parse(readFileSync(arg, 'utf8')) as string[];
  const t0 = performance.now();
  await forEachConcurrently(ids, Number(concurrency), async (id) => {
    await graph.invoke(new Command({ resume: 'approved' }), { configurable: { thread_id: id } });
  });
  process.stdout.write(JSON.stringify({ ms: performance.now() - t0, done: effects.n }) + '\n');
}

runChildMain(main);
