import fc from 'fast-check';
import {
  END,
  Engine,
  FakeClock,
  InMemoryStore,
  defineGraph,
  type Json,
  type StoredEvent,
  traceRun,
} from '@kestrion/core';
import { foldEvents } from '@kestrion/core/store-kit';
import { arbitraryRunLog, ScriptedProvider } from '@kestrion/testing';

async function eventsOf(store: InMemoryStore, runId: string): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of store.readEvents(runId)) out.push(e);
  return out;
}

describe('traceRun', () => {
  it('totals equal the fold on random logs of every event type', () => {
    fc.assert(
      fc.property(arbitraryRunLog(), (log) => {
        const events: StoredEvent[] = log.map((e, i) => ({ ...e, runId: 'r', seq: i + 1, v: 1 }));
        const trace = traceRun(events);
        const state = foldEvents(undefined, events)!;
        expect(trace.totals.llmCalls).toBe(state.totals.llmCalls);
        expect(trace.totals.toolCalls).toBe(state.totals.toolCalls);
        expect(trace.totals.inputTokens).toBe(state.totals.inputTokens);
        expect(trace.totals.outputTokens).toBe(state.totals.outputTokens);
        expect(trace.totals.unpricedCalls).toBe(state.totals.unpricedCalls);
        expect(trace.totals.usd).toBeCloseTo(state.totals.usd, 9);
        expect(trace.status).toBe(state.status);
      }),
      { numRuns: 200 },
    );
  });

  it('gives each model call, tool call, approval and wait with timings and cost', async () => {
    const clock = new FakeClock(Date.UTC(2026, 11, 6, 9));
    const store = new InMemoryStore();
    const provider = new ScriptedProvider([{ text: 'scale to 5' }]);
    const graph = defineGraph({
      name: 'ops',
      start: 'plan',
      tools: [
        {
          name: 'scale',
          requiresApproval: 'sre',
          invoke: (args) => {
            clock.advance(250);
            return { ok: args };
          },
        },
      ],
      nodes: {
        plan: async (ctx) => {
          const reply = await ctx.callModel({
            model: 'claude-sonnet-4-5',
            messages: [{ role: 'user', content: 'go' }],
          });
          return { next: 'act', patch: { set: { plan: reply.text ?? '' } } };
        },
        act: async (ctx) => ({
          next: END,
          output: (await ctx.callTool('scale', { replicas: 5 })) as unknown as Json,
        }),
      },
    });
    const engine = new Engine({ store, graph, provider, clock });
    const parked = await engine.run('go');
    clock.advance(3_600_000); // an hour later
    await engine.approve(parked.runId, { by: 'sam', role: 'sre', args: { replicas: 4 } });
    clock.advance(60_000);
    await engine.resume(parked.runId);
    const trace = await engine.trace(parked.runId);
    expect(trace).toEqual(traceRun(await eventsOf(store, parked.runId)));
    expect(trace.status).toBe('completed');
    expect(trace.spans.map((s) => s.kind)).toEqual(['model', 'tool', 'wait']);
    const [model, tool, wait] = trace.spans;
    expect(model).toMatchObject({
      kind: 'model',
      model: 'claude-sonnet-4-5',
      attempts: 1,
      status: 'completed',
    });
    expect(tool).toMatchObject({
      kind: 'tool',
      tool: 'scale',
      args: { replicas: 4 },
      status: 'completed',
      result: { ok: { replicas: 4 } },
      attempts: 1,
      durationMs: 250,
      approval: {
        roles: ['sre'],
        decisions: [{ decision: 'granted', by: 'sam', role: 'sre', editedArgs: { replicas: 4 } }],
      },
    });
    expect(wait).toMatchObject({ kind: 'wait', reason: 'approval', durationMs: 3_660_000 });
    expect(trace.totals).toEqual((await engine.get(parked.runId)).totals);
    expect(trace.durationMs).toBe(3_660_250);
  });
});
