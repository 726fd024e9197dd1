import { END, Engine, InMemoryStore, defineGraph, type Json } from '@kestrion/core';

// A node whose result cannot be stored fails the run with the reason; before, the run stayed
// pending and every resume failed the same way (a worker would retry it forever).
describe('a node returning data that JSON cannot hold', () => {
  it('fails the run when its output is not JSON (a transition committed on its own)', async () => {
    const engine = new Engine({
      store: new InMemoryStore(),
      graph: defineGraph({
        name: 'bad-output',
        start: 'a',
        nodes: { a: async () => ({ next: END, output: { when: new Date(0) } as unknown as Json }) },
      }),
    });
    const view = await engine.run('go');
    expect(view.status).toBe('failed');
    expect(view.error).toMatchObject({ code: 'invalid_event_data', node: 'a' });
    expect(view.error?.message).toContain('Date');
  });

  it('fails the run when a patch after an effect is not JSON (a deferred transition)', async () => {
    const effects: string[] = [];
    const engine = new Engine({
      store: new InMemoryStore(),
      graph: defineGraph({
        name: 'bad-patch',
        start: 'a',
        tools: [{ name: 'touch', invoke: () => (effects.push('touch'), 'ok') }],
        nodes: {
          a: async (ctx) => {
            await ctx.callTool('touch', {});
            return { next: 'b', patch: { set: { big: BigInt(1) as unknown as Json } } };
          },
          b: async () => ({ next: END }),
        },
      }),
    });
    const view = await engine.run('go');
    expect(view.status).toBe('failed');
    expect(view.error).toMatchObject({ node: 'a' });
    expect(view.error?.message).toContain('BigInt');
    expect(effects).toEqual(['touch']);
    expect((await engine.resume(view.runId)).status).toBe('failed');
  });
});
