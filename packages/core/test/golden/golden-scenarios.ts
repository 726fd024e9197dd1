import {
  END,
  Engine,
  FakeClock,
  InMemoryStore,
  SequentialIds,
  defineGraph,
  type Json,
  type ModelRequest,
  type ModelResponse,
  type Provider,
  type StoredEvent,
} from '@kestrion/core';

/** A provider that answers from a list (core's tests stay free of @kestrion/testing). */
function listProvider(responses: Partial<ModelResponse>[]): Provider {
  let i = 0;
  return {
    name: 'list',
    async complete(req: ModelRequest): Promise<ModelResponse> {
      const r = responses[i++] ?? {};
      return {
        text: '',
        toolCalls: [],
        usage: { inputTokens: 100, outputTokens: 20 },
        stopReason: 'end',
        model: req.model,
        ...r,
      };
    },
    cost: (r) => ({ usd: 0.0042, inputTokens: r.usage.inputTokens, outputTokens: r.usage.outputTokens }),
  };
}

const graph = (effects: Json[]) =>
  defineGraph({
    name: 'golden',
    start: 'plan',
    tools: [
      { name: 'read', idempotent: true, invoke: () => ({ replicas: 2 }) },
      { name: 'apply', requiresApproval: ['sre', 'lead'], invoke: (a) => (effects.push(a), { ok: true }) },
      {
        name: 'notify',
        requiresApproval: (a) => (a as { loud?: boolean }).loud === true,
        invoke: () => 'sent',
      },
    ],
    nodes: {
      plan: async (ctx) => {
        const m = await ctx.callModel({
          model: 'm1',
          messages: [{ role: 'user', content: String(ctx.input) }],
        });
        return { next: 'act', patch: { set: { plan: m.text }, append: { log: ['planned'] } } };
      },
      act: async (ctx) => {
        const [read, notify] = await ctx.callTools([
          { tool: 'read', args: {} },
          { tool: 'notify', args: { loud: false } },
        ]);
        const applied = await ctx.callTool('apply', { replicas: 3 });
        return {
          next: 'ask',
          patch: {
            set: {
              read: read as unknown as Json,
              notify: notify as unknown as Json,
              applied: applied as unknown as Json,
            },
            append: { log: ['acted'] },
          },
        };
      },
      ask: async (ctx) =>
        ctx.inbox.length === 0
          ? { waitForInput: true }
          : { next: END, output: { answer: ctx.inbox[0] ?? null } },
    },
  });

export interface GoldenScenario {
  name: string;
  play(): Promise<StoredEvent[]>;
}

async function readLog(store: InMemoryStore, runId: string): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of store.readEvents(runId)) out.push(e);
  return out;
}

function setup(responses: Partial<ModelResponse>[]) {
  const store = new InMemoryStore();
  const clock = new FakeClock(Date.UTC(2026, 10, 1));
  const engine = new Engine({
    store,
    graph: graph([]),
    clock,
    ids: new SequentialIds('g'),
    provider: listProvider(responses),
    owner: 'golden',
  });
  return { store, clock, engine };
}

/** Recorded with release 0.1.0; the committed logs must fold to the committed states forever. */
export const goldenScenarios: GoldenScenario[] = [
  {
    name: 'chain-approval-input',
    async play() {
      const { store, clock, engine } = setup([{ text: 'scale to 3' }]);
      const parked = await engine.run('scale checkout');
      clock.advance(3 * 3600_000);
      await engine.approve(parked.runId, { by: 'alice', role: 'sre' });
      await engine.approve(parked.runId, { by: 'bob', role: 'lead' });
      await engine.resume(parked.runId);
      await engine.send(parked.runId, 'thanks');
      await engine.resume(parked.runId);
      return readLog(store, parked.runId);
    },
  },
  {
    name: 'rejected-then-cancelled',
    async play() {
      const { store, engine } = setup([{ text: 'scale to 3' }]);
      const parked = await engine.run('scale checkout');
      await engine.reject(parked.runId, { by: 'carol', role: 'sre', reason: 'freeze week' });
      await engine.resume(parked.runId);
      await engine.cancel(parked.runId, 'dave', 'no longer needed');
      return readLog(store, parked.runId);
    },
  },
];
