import {
  ApprovalAlreadyDecidedError,
  ApprovalMismatchError,
  END,
  Engine,
  FakeClock,
  InMemoryStore,
  RunBusyError,
  SequentialIds,
  StepMismatchError,
  defineGraph,
  type Graph,
  type Json,
} from '@kestrion/core';

function opsGraph(effects: string[], opts: { applyApproval?: boolean | string[] } = {}): Graph {
  return defineGraph({
    name: 'ops',
    start: 'inspect',
    tools: [
      { name: 'get_state', idempotent: true, invoke: () => ({ replicas: 2 }) },
      {
        name: 'apply',
        requiresApproval: opts.applyApproval ?? true,
        invoke: (args) => {
          effects.push(JSON.stringify(args));
          return { applied: args };
        },
      },
    ],
    nodes: {
      inspect: async (ctx) => {
        const r = await ctx.callTool('get_state', {});
        return { next: 'apply', patch: { set: { observed: r.status === 'completed' ? r.result : null } } };
      },
      apply: async (ctx) => {
        const r = await ctx.callTool('apply', { replicas: 3 });
        return { next: END, output: r as unknown as Json };
      },
    },
  });
}

describe('Engine basics', () => {
  it('parks at a gated call, then runs it exactly once after approval', async () => {
    const store = new InMemoryStore();
    const effects: string[] = [];
    const engine = new Engine({
      store,
      graph: opsGraph(effects),
      clock: new FakeClock(),
      ids: new SequentialIds(),
    });
    const parked = await engine.run('scale');
    expect(parked).toMatchObject({
      status: 'waiting_on_human',
      waitingReason: 'approval',
      currentNode: 'apply',
    });
    expect(parked.pending).toEqual([expect.objectContaining({ tool: 'apply', args: { replicas: 3 } })]);
    expect(effects).toEqual([]);
    expect((await engine.resume(parked.runId)).status).toBe('waiting_on_human');
    await engine.approve(parked.runId, { by: 'alice', argsHash: parked.pending[0]!.argsHash });
    await expect(engine.reject(parked.runId, { by: 'bob', reason: 'late' })).rejects.toBeInstanceOf(
      ApprovalAlreadyDecidedError,
    );
    const done = await engine.resume(parked.runId);
    expect(done.status).toBe('completed');
    expect(done.output).toMatchObject({ status: 'completed', result: { applied: { replicas: 3 } } });
    expect(effects).toEqual(['{"replicas":3}']);
    expect((await engine.resume(parked.runId)).status).toBe('completed');
    expect(effects).toHaveLength(1);
  });

  it('feeds a rejection back to the node and never runs the tool', async () => {
    const effects: string[] = [];
    const engine = new Engine({ store: new InMemoryStore(), graph: opsGraph(effects) });
    const parked = await engine.run('scale');
    await engine.reject(parked.runId, { by: 'bob', reason: 'not today' });
    const done = await engine.resume(parked.runId);
    expect(done.output).toMatchObject({ status: 'rejected', by: 'bob', reason: 'not today' });
    expect(effects).toEqual([]);
  });

  it('requires every role of a chain, in order, and records who approved', async () => {
    const effects: string[] = [];
    const engine = new Engine({
      store: new InMemoryStore(),
      graph: opsGraph(effects, { applyApproval: ['sre', 'lead'] }),
    });
    const parked = await engine.run('scale');
    await expect(engine.approve(parked.runId, { by: 'carol', role: 'lead' })).rejects.toBeInstanceOf(
      ApprovalMismatchError,
    );
    const half = await engine.approve(parked.runId, { by: 'alice', role: 'sre' });
    expect(half).toMatchObject({
      status: 'waiting_on_human',
      pending: [expect.objectContaining({ approvedBy: ['alice'], nextRole: 'lead' })],
    });
    expect((await engine.resume(parked.runId)).status).toBe('waiting_on_human');
    await engine.approve(parked.runId, { by: 'carol', role: 'lead' });
    expect((await engine.resume(parked.runId)).status).toBe('completed');
    expect(effects).toHaveLength(1);
  });

  it('fails loudly when the code at a recorded step changed between park and resume', async () => {
    const store = new InMemoryStore();
    const parked = await new Engine({ store, graph: opsGraph([]) }).run('scale');
    await new Engine({ store, graph: opsGraph([]) }).approve(parked.runId, { by: 'alice' });
    const changed = opsGraph([]);
    changed.nodes.apply = async (ctx) => {
      await ctx.callTool('apply', { replicas: 5 });
      return { next: END, output: null };
    };
    const view = await new Engine({ store, graph: changed }).resume(parked.runId);
    expect(view.status).toBe('failed');
    expect(view.error?.code).toBe(new StepMismatchError('r', 'k', 'a', 'b').code);
    expect(view.error?.message).toMatch(
      /step 2:0: the log recorded tool apply \(args [0-9a-f]{12}\) but the code now asks for tool apply \(args [0-9a-f]{12}\)/,
    );
  });

  it('makes a second resumer in the same process busy', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const graph = defineGraph({
      name: 'slow',
      start: 'a',
      nodes: {
        a: async () => {
          await gate;
          return { next: END, output: 1 };
        },
      },
    });
    const engine = new Engine({ store: new InMemoryStore(), graph });
    const id = await engine.start(null);
    const first = engine.resume(id);
    await expect(engine.resume(id)).rejects.toBeInstanceOf(RunBusyError);
    release();
    expect((await first).status).toBe('completed');
  });

  it('lets the append that ends a run free its lease, and takes none to resume an ended run', async () => {
    const store = new InMemoryStore();
    const leases: string[] = [];
    const releases: string[] = [];
    const acquire = store.acquireLease.bind(store);
    const release = store.releaseLease.bind(store);
    store.acquireLease = async (runId, opts) => {
      leases.push(runId);
      return acquire(runId, opts);
    };
    store.releaseLease = async (lease) => {
      releases.push(lease.runId);
      return release(lease);
    };
    const graph = defineGraph({ name: 'one', start: 'a', nodes: { a: () => ({ next: END, output: 1 }) } });
    const engine = new Engine({ store, graph });
    const done = await engine.run(null);
    expect(done.status).toBe('completed');
    expect(releases).toEqual([]); // no release round trip after run.completed
    expect(await store.getRun(done.runId)).toMatchObject({ leaseOwner: null, leaseExpiresAtMs: null });

    // Resuming the ended run, here or in a fresh engine, finds nothing to do and writes nothing.
    expect(await engine.resume(done.runId)).toMatchObject({ status: 'completed' });
    expect(await new Engine({ store, graph }).resume(done.runId)).toMatchObject({ status: 'completed' });
    expect(leases).toEqual([done.runId]);
    expect(releases).toEqual([]);
  });

  it('answers a resume of a parked run from its log, even while another process holds the lease', async () => {
    const effects: string[] = [];
    const store = new InMemoryStore();
    const parked = await new Engine({ store, graph: opsGraph(effects) }).run('scale');
    expect(parked.status).toBe('waiting_on_human');
    const head = (await store.getRun(parked.runId))?.headSeq;
    const other = await store.acquireLease(parked.runId, {
      owner: 'elsewhere',
      ttlMs: 60_000,
      now: Date.now(),
    });
    for (const engine of [
      new Engine({ store, graph: opsGraph(effects) }),
      new Engine({ store, graph: opsGraph(effects) }),
    ]) {
      const view = await engine.resume(parked.runId);
      expect(view.status).toBe('waiting_on_human');
      expect(view.pending.map((p) => p.tool)).toEqual(['apply']);
      expect(await engine.resume(parked.runId)).toMatchObject({ status: 'waiting_on_human' }); // from its cache
    }
    expect(await store.getRun(parked.runId)).toMatchObject({
      headSeq: head,
      leaseOwner: 'elsewhere',
      leaseEpoch: other.epoch,
    });
    expect(effects).toEqual([]);
  });
});
