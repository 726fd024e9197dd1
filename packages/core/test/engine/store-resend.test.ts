import { END, Engine, InMemoryStore, type Store, StoreError, defineGraph } from '@kestrion/core';

/**
 * A connection lost in the middle of an append (PostgreSQL backend terminated, a failover):
 * the append may have committed or not. The writer sends the same events again; the store
 * answers a re-sent append it holds as a duplicate. Before, the driver gave up, and the next
 * driver found `tool.started` without an outcome: the run parked for a person.
 */
function flakyStore(
  inner: Store,
  failOn: string,
  when: 'before' | 'after',
): { store: Store; failures: number } {
  const state = { failures: 0 };
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop !== 'append' || typeof value !== 'function') return value;
      return async (...args: Parameters<Store['append']>) => {
        const hit = state.failures === 0 && args[2].some((e) => e.type === failOn);
        if (hit && when === 'before') {
          state.failures++;
          throw new StoreError('connection terminated', { retryable: true });
        }
        const result = await (value as Store['append']).apply(target, args);
        if (hit) {
          state.failures++;
          throw new StoreError('connection terminated before the commit was acknowledged', {
            retryable: true,
          });
        }
        return result;
      };
    },
  });
  return {
    store,
    get failures() {
      return state.failures;
    },
  };
}

describe('an append cut off by a lost connection', () => {
  for (const when of ['before', 'after'] as const)
    it(`is sent again when the connection drops ${when} the commit: the outcome is kept, the tool ran once`, async () => {
      const inner = new InMemoryStore();
      const flaky = flakyStore(inner, 'tool.completed', when);
      const effects: string[] = [];
      const engine = new Engine({
        store: flaky.store,
        graph: defineGraph({
          name: 'charger',
          start: 'charge',
          tools: [{ name: 'charge', invoke: () => (effects.push('charged'), 'ok') }],
          nodes: {
            charge: async (ctx) => {
              const r = await ctx.callTool('charge', {});
              await ctx.callTool('charge', { again: true });
              return { next: END, output: r.status };
            },
          },
        }),
      });
      const view = await engine.run('go');
      expect(flaky.failures).toBe(1);
      expect(view.status).toBe('completed');
      expect(view.unknownOutcomes).toEqual([]);
      expect(effects).toEqual(['charged', 'charged']);
      const types: string[] = [];
      for await (const e of inner.readEvents(view.runId)) types.push(e.type);
      expect(types.filter((t) => t === 'tool.completed')).toHaveLength(2);
    });
});
