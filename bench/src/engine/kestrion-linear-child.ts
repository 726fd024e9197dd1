/**
 * One Kestrion system of the linear-run comparison, alone in a fresh process (LangGraph's
 * heap and JIT state never share a process with it). Prints one JSON line.
 *   <normal|full|memory> <dir> <warmups> <steps>
 * Each run gets a new database file; see warm-measure for what is measured.
 */
import { join } from 'node:path';
import { InMemoryStore, type Store } from '@kestrion/core';
import { openStore } from '@kestrion/store';
import { kestrionLinear } from './kestrion-linear';
import { measure } from './warm-measure';
import { runChildMain } from './child-main';

async function main(): Promise<void> {
  const [system = '', dir = '', warmups = '0', steps = '1000'] = process.argv.slice(2);
  const open = async (i: number): Promise<Store> => {
    if (system === 'memory') return new InMemoryStore();
    const file = join(dir, `k-${system}-${process.pid}-${i}.db`);
    return openStore(`sqlite://${file}${system === 'normal' ? '?synchronous=NORMAL' : ''}`);
  };
  const run = async (i: number) => {
    const store = await open(i);
    try {
      return await kestrionLinear(store, Number(steps));
    } finally {
      await store.close();
    }
  };
  process.stdout.write(
    JSON.stringify({ msPerStep: (await measure(run, Number(warmups))) / Number(steps) }) + '\n',
  );
}

runChildMain(main);
