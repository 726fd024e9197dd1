import {
  END,
  Engine,
  InMemoryStore,
  InfrastructureError,
  ToolOutcomeUnknown,
  defineGraph,
  type Graph,
  type Json,
  type ToolDefinition,
  type StoredEvent,
} from '@kestrion/core';

/** One node calling `write` once; the tool's identity is what the "server" says now. */
function graphWith(effects: string[], identity: ToolDefinition['identity'], gated = true): Graph {
  const write: ToolDefinition = {
    name: 'write',
    requiresApproval: gated,
    idempotent: !gated,
    ...(identity ? { identity } : {}),
    invoke: (args) => {
      effects.push(JSON.stringify(args));
      return { written: true };
    },
  };
  return defineGraph({
    name: 'pinned',
    start: 'act',
    tools: [write],
    nodes: {
      act: async (ctx) => ({ next: END, output: (await ctx.callTool('write', { path: 'a' })) as Json }),
    },
  });
}

async function eventsOf(store: InMemoryStore, runId: string): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of store.readEvents(runId)) out.push(e);
  return out;
}

const V1 = { name: 'n', inputSchema: 's1', annotations: 'a1' };

describe('pinned tool identity', () => {
  it('records the identity in tool.requested and runs an approved call whose tool did not change', async () => {
    const store = new InMemoryStore();
    const effects: string[] = [];
    const engine = new Engine({ store, graph: graphWith(effects, V1) });
    const parked = await engine.run('go');
    const requested = (await eventsOf(store, parked.runId)).find((e) => e.type === 'tool.requested');
    expect(requested?.data).toMatchObject({ toolIdentity: V1 });
    await engine.approve(parked.runId, { by: 'alice' });
    const done = await new Engine({ store, graph: graphWith(effects, { ...V1 }) }).resume(parked.runId);
    expect(done.status).toBe('completed');
    expect(effects).toEqual(['{"path":"a"}']);
  });

  it('parks an approved call whose schema and annotations changed, naming them, and runs it once approved again', async () => {
    const store = new InMemoryStore();
    const effects: string[] = [];
    const parked = await new Engine({ store, graph: graphWith(effects, V1) }).run('go');
    await new Engine({ store, graph: graphWith(effects, V1) }).approve(parked.runId, { by: 'alice' });

    const changed = { ...V1, inputSchema: 's2', annotations: 'a2' };
    const later = new Engine({ store, graph: graphWith(effects, changed) });
    const again = await later.resume(parked.runId);
    expect(effects).toEqual([]);
    expect(again.status).toBe('waiting_on_human');
    expect(again.waitingReason).toBe('approval');
    expect(again.pending).toEqual([
      expect.objectContaining({
        tool: 'write',
        approvedBy: [],
        reason: expect.stringContaining('annotations and inputSchema changed'),
      }),
    ]);
    expect(again.pending[0]?.reason).toContain('since this call was approved');
    expect((await store.getRun(parked.runId))?.status).toBe('waiting_on_human');

    // The same person may approve the changed tool: the old grant is void, not a first step.
    await later.approve(parked.runId, { by: 'alice' });
    const done = await later.resume(parked.runId);
    expect(done.status).toBe('completed');
    expect(effects).toEqual(['{"path":"a"}']);
  });

  it('asks a person before retrying an ungated idempotent call whose tool changed after it started', async () => {
    const store = new InMemoryStore();
    const effects: string[] = [];
    let release: () => void = () => {};
    // Process A: the call starts, and A hangs (as if it died) before any outcome.
    const hanging: Graph = defineGraph({
      name: 'pinned',
      start: 'act',
      tools: [
        {
          name: 'write',
          idempotent: true,
          identity: V1,
          invoke: () => new Promise<Json>((resolve) => (release = () => resolve(null))),
        },
      ],
      nodes: {
        act: async (ctx) => ({ next: END, output: (await ctx.callTool('write', { path: 'a' })) as Json }),
      },
    });
    const a = new Engine({ store, graph: hanging, leaseTtlMs: 1_000 });
    const runId = await a.start('go');
    const driving = a.resume(runId).catch((e: unknown) => e);
    while (!(await eventsOf(store, runId)).some((e) => e.type === 'tool.started'))
      await new Promise((r) => setTimeout(r, 5));

    // Process B, an hour later by its clock (A's lease has expired), lists a changed tool.
    const later = { now: () => Date.now() + 3_600_000 };
    const b = new Engine({
      store,
      graph: graphWith(effects, { ...V1, annotations: 'a2' }, false),
      clock: later,
    });
    const parked = await b.resume(runId);
    expect(effects).toEqual([]);
    expect(parked).toMatchObject({ status: 'waiting_on_human', waitingReason: 'approval' });
    expect(parked.pending[0]?.reason).toMatch(
      /write changed since this call was requested \(annotations changed\)/,
    );
    await b.approve(runId, { by: 'alice' });
    expect((await b.resume(runId)).status).toBe('completed');
    expect(effects).toEqual(['{"path":"a"}']);
    release();
    await driving;
  });

  it('asks an identity function once per batch, and abandons the drive when it throws an InfrastructureError', async () => {
    class ServerDown extends InfrastructureError {
      constructor() {
        super('store', 'the server is down', { retryable: true });
      }
    }
    const store = new InMemoryStore();
    const effects: string[] = [];
    let down = false;
    let asked = 0;
    const identity = () => {
      asked += 1;
      if (down) throw new ServerDown();
      return V1;
    };
    const engine = new Engine({ store, graph: graphWith(effects, identity) });
    const parked = await engine.run('go');
    expect(asked).toBe(1);
    await engine.approve(parked.runId, { by: 'alice' });
    down = true;
    const head = (await store.getRun(parked.runId))!.headSeq;
    await expect(engine.resume(parked.runId)).rejects.toBeInstanceOf(ServerDown);
    expect((await store.getRun(parked.runId))!.headSeq).toBe(head);
    expect(effects).toEqual([]);
    down = false;
    expect((await engine.resume(parked.runId)).status).toBe('completed');
    expect(effects).toEqual(['{"path":"a"}']);
  });

  it('parks a call whose tool returned ToolOutcomeUnknown, with its reason, until a person decides', async () => {
    const store = new InMemoryStore();
    let attempts = 0;
    const graph = defineGraph({
      name: 'unknown',
      start: 'act',
      tools: [
        {
          name: 'charge',
          invoke: () => {
            attempts += 1;
            return attempts === 1 ? new ToolOutcomeUnknown('server exited mid-call') : { charged: true };
          },
        },
      ],
      nodes: { act: async (ctx) => ({ next: END, output: (await ctx.callTool('charge', {})) as Json }) },
    });
    const engine = new Engine({ store, graph });
    const parked = await engine.run('go');
    expect(parked.status).toBe('waiting_on_human');
    expect(parked.waitingReason).toBe('outcome_unknown');
    expect(parked.unknownOutcomes).toEqual([
      expect.objectContaining({ tool: 'charge', attempts: 1, reason: 'server exited mid-call' }),
    ]);
    expect((await engine.resume(parked.runId)).status).toBe('waiting_on_human');
    await engine.retryTool(parked.runId, parked.unknownOutcomes[0]!.callId, 'alice');
    const done = await engine.resume(parked.runId);
    expect(done.status).toBe('completed');
    expect(attempts).toBe(2);
  });
});
