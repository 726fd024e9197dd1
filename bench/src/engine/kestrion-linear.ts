import { Engine, type Store } from '@kestrion/core';
import { timeMs } from './timing';
import { linearGraph } from './kestrion-graphs';

/** ms for one `steps`-step linear run on `store`. */
export async function kestrionLinear(store: Store, steps: number, grow = false): Promise<number> {
  const engine = new Engine({ store, graph: linearGraph(steps, grow) });
  return timeMs(async () => {
    const v = await engine.run(null);
    if (v.status !== 'completed') throw new Error(`bench run ended ${v.status}: ${v.error?.message}`);
  });
}
