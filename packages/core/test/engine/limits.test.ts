import { END, Engine, InMemoryStore, defineGraph, type ModelResponse, type Provider } from '@kestrion/core';

const loop = defineGraph({
  name: 'loop',
  start: 'step',
  nodes: { step: (ctx) => ({ next: 'step', patch: { set: { n: ((ctx.state.n as number) ?? 0) + 1 } } }) },
});

describe('run limits', () => {
  it('fails a run that exceeds maxSteps, naming the limit and the node', async () => {
    const view = await new Engine({ store: new InMemoryStore(), graph: loop, limits: { maxSteps: 25 } }).run(
      null,
    );
    expect(view).toMatchObject({ status: 'failed', error: { code: 'limit_exceeded' } });
    expect(view.error?.message).toBe('maxSteps 25 reached at node step');
  });

  it('fails a run that exceeds maxEvents', async () => {
    const view = await new Engine({
      store: new InMemoryStore(),
      graph: loop,
      limits: { maxSteps: 10_000, maxEvents: 60 },
    }).run(null);
    expect(view.error?.message).toBe('maxEvents 60 reached');
    expect(view.eventCount).toBeLessThanOrEqual(62);
  });

  it('fails a run whose state patch is over the payload limit, and keeps the log readable', async () => {
    const store = new InMemoryStore({ maxEventBytes: 2000 });
    const graph = defineGraph({
      name: 'big',
      start: 'a',
      nodes: { a: () => ({ next: END, output: null, patch: { set: { blob: 'x'.repeat(5000) } } }) },
    });
    const view = await new Engine({ store, graph }).run(null);
    expect(view.status).toBe('failed');
    expect(view.error).toMatchObject({ code: 'payload_too_large', node: 'a' });
    const types: string[] = [];
    for await (const e of store.readEvents(view.runId)) types.push(e.type);
    expect(types).toEqual(['run.started', 'node.entered', 'run.failed']);
  });

  it('fails a run once its model cost passes maxCostUsd', async () => {
    const provider: Provider = {
      name: 'pricey',
      complete: async (): Promise<ModelResponse> => ({
        text: 'hm',
        toolCalls: [],
        usage: { inputTokens: 1000, outputTokens: 1000 },
        stopReason: 'end',
        model: 'm',
      }),
      cost: () => ({ usd: 0.4, inputTokens: 1000, outputTokens: 1000 }),
    };
    const graph = defineGraph({
      name: 'spend',
      start: 'think',
      nodes: { think: async (ctx) => (await ctx.callModel({ model: 'm', messages: [] }), { next: 'think' }) },
    });
    const view = await new Engine({
      store: new InMemoryStore(),
      graph,
      provider,
      limits: { maxCostUsd: 1 },
    }).run(null);
    expect(view).toMatchObject({ status: 'failed', error: { code: 'limit_exceeded' } });
    expect(view.error?.message).toMatch(/^maxCostUsd 1 exceeded: spent \$1\.2000/);
    expect(view.totals.llmCalls).toBe(3);
  });
});
