import type { MemorySaver } from '@langchain/langgraph';
import type { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { lgLinear } from './langgraph-graphs';
import { timeMs } from './timing';

/** ms for one `steps`-step linear run, with SqliteSaver, MemorySaver or no checkpointer. */
export async function langgraphLinear(
  steps: number,
  grow: boolean,
  saver?: SqliteSaver | MemorySaver,
): Promise<number> {
  const graph = lgLinear(steps, grow, saver);
  return timeMs(() =>
    graph.invoke(
      { count: 0 },
      { configurable: { thread_id: `t-${Math.random()}` }, recursionLimit: steps + 10 },
    ),
  );
}
