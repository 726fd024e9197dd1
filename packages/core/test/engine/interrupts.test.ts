import {
  END,
  Engine,
  FakeClock,
  InMemoryStore,
  LeaseLostError,
  type ModelResponse,
  type NodeContext,
  type Provider,
  RunInterrupted,
  type Store,
  defineGraph,
  type ToolDefinition,
} from '@kestrion/core';

/** What a node saw on its way out: its finally ran, with which error and signal. */
interface Probe {
  finallyRan: number;
  caught: unknown[];
  signalReason: unknown[];
}

function probe(): Probe {
  return { finallyRan: 0, caught: [], signalReason: [] };
}

/** A node that holds a resource in try/finally around `work`, as user code does. */
function guarded(p: Probe, work: (ctx: NodeContext) => Promise<unknown>) {
  return async (ctx: NodeContext) => {
    try {
      await work(ctx);
      return { next: END, output: 'finished' };
    } catch (error) {
      p.caught.push(error);
      throw error; // as documented: a RunInterrupted is rethrown
    } finally {
      p.finallyRan += 1;
      if (ctx.signal.aborted) p.signalReason.push(ctx.signal.reason);
    }
  };
}

async function types(store: Store, runId: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of store.readEvents(runId)) out.push(e.type);
  return out;
}

function latch(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

function engineWith(
  store: Store,
  clock: FakeClock,
  tools: ToolDefinition[],
  node: ReturnType<typeof guarded>,
  extra: { provider?: Provider; limits?: { maxCostUsd?: number } } = {},
): Engine {
  return new Engine({
    store,
    clock,
    graph: defineGraph({ name: 'interrupts', start: 'work', tools, nodes: { work: node } }),
    ...extra,
  });
}

describe('a run interrupted inside a node settles the node: its finally blocks run', () => {
  it('on park (approval): the awaited call rejects with RunInterrupted, the signal is aborted, nothing more is written', async () => {
    const limitBefore = Error.stackTraceLimit;
    const store = new InMemoryStore();
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const p = probe();
    const engine = engineWith(
      store,
      clock,
      [{ name: 'apply', requiresApproval: true, invoke: () => 'applied' }],
      guarded(p, (ctx) => ctx.callTool('apply', {})),
    );
    const view = await engine.run('go');
    expect(view.status).toBe('waiting_on_human');
    expect(p.finallyRan).toBe(1);
    expect(p.caught).toHaveLength(1);
    expect(p.caught[0]).toBeInstanceOf(RunInterrupted);
    expect(p.caught[0]).toMatchObject({ code: 'run_interrupted', interrupt: { kind: 'parked' } });
    expect(p.signalReason).toEqual([p.caught[0]]);
    expect(await types(store, view.runId)).toEqual([
      'run.started',
      'node.entered',
      'tool.requested',
      'approval.requested',
      'run.waiting',
    ]);
    // Made without a stack trace (control flow, on every park), and the limit is put back.
    expect((p.caught[0] as Error).stack).toBe(`RunInterrupted: ${(p.caught[0] as Error).message}`);
    expect(Error.stackTraceLimit).toBe(limitBefore);
  });

  it('ignores what a node that swallowed RunInterrupted returns, and lets no further call through', async () => {
    const store = new InMemoryStore();
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const later: unknown[] = [];
    let ran = 0;
    const engine = engineWith(
      store,
      clock,
      [
        { name: 'apply', requiresApproval: true, invoke: () => 'applied' },
        { name: 'other', invoke: () => (ran++, 'ran') },
      ],
      async (ctx) => {
        try {
          await ctx.callTool('apply', {});
        } catch {
          // Wrong, but it must not matter: no call goes through, the return is ignored.
          later.push(await ctx.callTool('other', {}).catch((e: unknown) => e));
          later.push(await ctx.callModel({ model: 'm', messages: [] }).catch((e: unknown) => e));
        }
        return { next: END, output: 'swallowed' };
      },
    );
    const view = await engine.run('go');
    expect(view.status).toBe('waiting_on_human');
    expect(later.map((e) => e instanceof RunInterrupted)).toEqual([true, true]);
    expect(ran).toBe(0);
    expect((await types(store, view.runId)).at(-1)).toBe('run.waiting');
    expect(await types(store, view.runId)).not.toContain('run.completed');
  });

  it('on end: an approval that expired with outcome fail', async () => {
    const store = new InMemoryStore();
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const p = probe();
    const engine = engineWith(
      store,
      clock,
      [
        {
          name: 'apply',
          requiresApproval: true,
          approvalTimeoutMs: 60_000,
          onApprovalTimeout: 'fail',
          invoke: () => 'applied',
        },
      ],
      guarded(p, (ctx) => ctx.callTool('apply', {})),
    );
    const parked = await engine.run('go');
    expect(p.finallyRan).toBe(1);
    clock.advance(61_000);
    const ended = await engine.resume(parked.runId);
    expect(ended.status).toBe('failed');
    expect(ended.error).toMatchObject({ code: 'approval_expired' });
    expect(p.finallyRan).toBe(2);
    expect(p.caught[1]).toMatchObject({ interrupt: { kind: 'ended' } });
    expect(await types(store, parked.runId)).toEqual([
      'run.started',
      'node.entered',
      'tool.requested',
      'approval.requested',
      'run.waiting',
      'approval.expired',
      'run.failed',
    ]);
  });

  it('on end: a limit (maxCostUsd) passed by a model call', async () => {
    const store = new InMemoryStore();
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const p = probe();
    const response: ModelResponse = {
      text: 'expensive',
      toolCalls: [],
      usage: { inputTokens: 10, outputTokens: 10 },
      stopReason: 'end',
      model: 'm',
    };
    const provider: Provider = {
      name: 'priced',
      complete: () => Promise.resolve(response),
      cost: () => ({ usd: 1, inputTokens: 10, outputTokens: 10 }),
    };
    const engine = engineWith(
      store,
      clock,
      [],
      guarded(p, (ctx) => ctx.callModel({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })),
      { provider, limits: { maxCostUsd: 0.5 } },
    );
    const view = await engine.run('go');
    expect(view.status).toBe('failed');
    expect(view.error).toMatchObject({ code: 'limit_exceeded' });
    expect(p.finallyRan).toBe(1);
    expect(p.caught[0]).toMatchObject({ interrupt: { kind: 'ended' } });
    expect(await types(store, view.runId)).toEqual([
      'run.started',
      'node.entered',
      'llm.requested',
      'llm.completed',
      'run.failed',
    ]);
  });

  it('on cancel: a cancel the driver meets inside the node ends the run before the next effect', async () => {
    const store = new InMemoryStore();
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const p = probe();
    const inFirst = latch();
    const release = latch();
    const invoked: string[] = [];
    const engine = engineWith(
      store,
      clock,
      [
        {
          name: 'first',
          invoke: async () => {
            invoked.push('first');
            inFirst.open();
            await release.wait;
            return 'done';
          },
        },
        { name: 'second', invoke: () => (invoked.push('second'), 'done') },
      ],
      guarded(p, async (ctx) => {
        await ctx.callTool('first', {});
        await ctx.callTool('second', {});
      }),
    );
    const runId = await engine.start('go');
    const driving = engine.resume(runId);
    await inFirst.wait;
    // From "another caller": the run is being driven, so the cancel is recorded and left to its driver.
    const asked = await engine.cancel(runId, 'alice', 'wrong cluster');
    expect(asked.status).toBe('running');
    release.open();
    const view = await driving;
    expect(view.status).toBe('cancelled');
    expect(invoked).toEqual(['first']);
    expect(p.finallyRan).toBe(1);
    expect(p.caught[0]).toMatchObject({ interrupt: { kind: 'ended' } });
    expect(await types(store, runId)).toEqual([
      'run.started',
      'node.entered',
      'tool.requested',
      'tool.started',
      'run.cancel_requested',
      'tool.completed',
      'run.cancelled',
    ]);
  });

  it('on lease loss: the driver stops, the node settles, and nothing is written after the takeover', async () => {
    const store = new InMemoryStore();
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const p = probe();
    const entered = latch();
    const go = latch();
    let ran = 0;
    const engine = engineWith(
      store,
      clock,
      [{ name: 'apply', invoke: () => (ran++, 'applied') }],
      guarded(p, async (ctx) => {
        entered.open();
        await go.wait;
        await ctx.callTool('apply', {});
      }),
    );
    const runId = await engine.start('go');
    const driving = engine.resume(runId).catch((e: unknown) => e);
    await entered.wait;
    // The driver stalls past its lease (30 s by the clock) and another process takes the run over.
    clock.advance(31_000);
    await store.acquireLease(runId, { owner: 'thief', ttlMs: 60_000, now: clock.now() });
    const before = await types(store, runId);
    go.open();
    const error = await driving;
    expect(error).toBeInstanceOf(LeaseLostError);
    expect(ran).toBe(0);
    expect(p.finallyRan).toBe(1);
    expect(p.caught[0]).toMatchObject({ interrupt: { kind: 'abandoned' } });
    expect(await types(store, runId)).toEqual(before);
    expect((await store.getRun(runId))?.leaseOwner).toBe('thief');
  });
});
