import { ConfigurationError, Engine, type Store, defineGraph } from '@kestrion/core';

/**
 * An engine for what needs only the log: reading a run (`get`) and forking it (a copy of its
 * events). It has no agent code, so it can drive nothing: its one node refuses, and it is never
 * handed a run to drive.
 */
export function storeEngine(store: Store): Engine {
  const graph = defineGraph({
    name: 'kestrion-cli',
    start: 'none',
    nodes: {
      none: () => {
        throw new ConfigurationError('the kestrion CLI drives runs only with their Agent module (--agent)');
      },
    },
  });
  return new Engine({ store, graph });
}
