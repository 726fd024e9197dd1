import { Engine, type Store } from '@kestrion/core';
import { scaleGraph } from './scale-graph';

/** Records `runs` runs of the scale graph (`engine.start`: submitted, not driven), 16 at a time. */
export async function submitRuns(store: Store, runs: number): Promise<string[]> {
  const engine = new Engine({ store, graph: scaleGraph() });
  const ids: string[] = new Array<string>(runs);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < runs) {
      const i = next++;
      ids[i] = await engine.start({ order: `o-${i}`, customer: `c-${i % 97}` });
    }
  };
  await Promise.all(Array.from({ length: 16 }, lane));
  return ids;
}
