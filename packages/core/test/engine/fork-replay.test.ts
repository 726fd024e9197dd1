import {
  END,
  Engine,
  InMemoryStore,
  defineGraph,
  type Graph,
  type Json,
  type ModelResponse,
  type Provider,
} from '@kestrion/core';

function counting(texts: string[]): Provider & { calls: number } {
  const p = {
    name: 'counting',
    calls: 0,
    async complete(): Promise<ModelResponse> {
      const text = texts[p.calls++] ?? 'done';
      return {
        text,
        toolCalls: [],
        usage: { inputTokens: 1, outputTokens: 1 },
        stopReason: 'end',
        model: 'm',
      };
    },
  };
  return p;
}

function graph(effects: string[], replicas = 3): Graph {
  return defineGraph({
    name: 'fr',
    start: 'plan',
    tools: [
      { name: 'apply', requiresApproval: true, invoke: (a) => (effects.push(JSON.stringify(a)), 'applied') },
    ],
    nodes: {
      plan: async (ctx) => {
        const r = await ctx.callModel({ model: 'm', messages: [{ role: 'user', content: 'plan' }] });
        return { next: 'act', patch: { set: { plan: r.text } } };
      },
      act: async (ctx) => ({
        next: END,
        output: (await ctx.callTool('apply', { replicas })) as unknown as Json,
      }),
    },
  });
}

async function recordedRun() {
  const store = new InMemoryStore();
  const effects: string[] = [];
  const provider = counting(['scale']);
  const engine = new Engine({ store, graph: graph(effects), provider });
  const parked = await engine.run('go');
  await engine.approve(parked.runId, { by: 'alice' });
  await engine.resume(parked.runId);
  return { store, effects, provider, runId: parked.runId, parkedAt: parked.eventCount };
}

describe('replay', () => {
  it('re-drives a recorded run with no model call and no tool effect, and finds no divergence', async () => {
    const { store, runId, provider, effects } = await recordedRun();
    const replayEffects: string[] = [];
    const report = await new Engine({ store, graph: graph(replayEffects), provider }).replay(runId);
    expect(report.divergence).toBeUndefined();
    expect(report.compared).toBeGreaterThan(10);
    expect(provider.calls).toBe(1);
    expect([effects.length, replayEffects.length]).toEqual([1, 0]);
  });

  it('names the first event where changed code decides differently', async () => {
    const { store, runId } = await recordedRun();
    const report = await new Engine({ store, graph: graph([], 5) }).replay(runId);
    expect(report.divergence?.expected).toMatch(/^tool\.requested .*"replicas":3/);
    expect(report.divergence?.found).toMatch(/^tool\.requested .*"replicas":5/);
  });
});

describe('fork', () => {
  it('starts a linked run from the first atSeq events and leaves the source untouched', async () => {
    const { store, runId, parkedAt } = await recordedRun();
    const effects: string[] = [];
    const engine = new Engine({ store, graph: graph(effects), provider: counting([]) });
    const forkId = await engine.fork(runId, parkedAt);
    const fork = await engine.get(forkId);
    expect(fork).toMatchObject({ status: 'waiting_on_human', eventCount: parkedAt + 1 });
    await engine.reject(forkId, { by: 'bob', reason: 'try the other branch' });
    const done = await engine.resume(forkId);
    expect(done.output).toMatchObject({ status: 'rejected' });
    expect(effects).toEqual([]);
    expect((await engine.get(runId)).status).toBe('completed');
    await expect(engine.fork(runId, 999)).rejects.toThrow(/choose 1\.\.\d+/);
  });
});
