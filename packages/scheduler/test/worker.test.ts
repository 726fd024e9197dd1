import { END, Engine, InMemoryStore, defineGraph, type Store } from '@kestrion/core';
import { Worker, probePort, startProbeServer } from '@kestrion/scheduler';

/** Resolves when `check` holds, polling every 5 ms; fails the test after `ms`. */
async function until(check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function billing(
  store: Store,
  hooks: { inFlight: number; maxInFlight: number; effects: string[]; holdMs?: number },
  name = 'billing',
) {
  return new Engine({
    store,
    owner: 'api-process',
    graph: defineGraph({
      name,
      start: 'work',
      tools: [
        { name: 'charge', invoke: (args) => (hooks.effects.push(`charge ${JSON.stringify(args)}`), 'ok') },
        { name: 'refund', requiresApproval: true, invoke: () => (hooks.effects.push('refund'), 'refunded') },
      ],
      nodes: {
        work: async (ctx) => {
          hooks.inFlight++;
          hooks.maxInFlight = Math.max(hooks.maxInFlight, hooks.inFlight);
          try {
            await new Promise((r) => setTimeout(r, hooks.holdMs ?? 10));
            await ctx.callTool('charge', { input: ctx.input });
          } finally {
            hooks.inFlight--;
          }
          return ctx.input === 'refund' ? { next: 'refund' } : { next: END, output: 'charged' };
        },
        refund: async (ctx) => ({ next: END, output: (await ctx.callTool('refund', {})).status }),
      },
    }),
  });
}

describe('Worker', () => {
  let worker: Worker | undefined;
  afterEach(async () => {
    await worker?.stop(1_000);
    worker = undefined;
  });

  it('drives runs recorded elsewhere to completion, never more than `concurrency` at once', async () => {
    const store = new InMemoryStore();
    const hooks = { inFlight: 0, maxInFlight: 0, effects: [] as string[] };
    const api = billing(store, hooks);
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => api.start(`order-${i}`)));
    worker = new Worker({ agents: [billing(store, hooks)], concurrency: 3 });
    await worker.start();
    await until(async () =>
      (await Promise.all(ids.map((id) => store.getRun(id)))).every((r) => r?.status === 'completed'),
    );
    expect(hooks.maxInFlight).toBe(3);
    expect(hooks.effects.sort()).toEqual(ids.map((_, i) => `charge {"input":"order-${i}"}`).sort());
  });

  it('picks up a run approved by another process without anyone calling resume', async () => {
    const store = new InMemoryStore();
    const hooks = { inFlight: 0, maxInFlight: 0, effects: [] as string[] };
    const api = billing(store, hooks);
    worker = new Worker({ agents: [billing(store, hooks)], idlePoll: { minMs: 5, maxMs: 20 } });
    await worker.start();
    const runId = await api.start('refund');
    await until(async () => (await store.getRun(runId))?.status === 'waiting_on_human');
    const parked = await api.get(runId);
    const pending = parked.pending[0];
    expect(pending?.tool).toBe('refund');
    await api.approve(runId, {
      callId: pending?.callId as string,
      by: 'alice',
      argsHash: pending?.argsHash as string,
    });
    await until(async () => (await store.getRun(runId))?.status === 'completed');
    expect(hooks.effects).toEqual(['charge {"input":"refund"}', 'refund']);
  });

  it('stop(): the step in flight finishes and is committed, the lease is handed back, and another worker continues', async () => {
    const store = new InMemoryStore();
    const hooks = { inFlight: 0, maxInFlight: 0, effects: [] as string[], holdMs: 200 };
    const api = billing(store, hooks);
    const runId = await api.start('refund');
    worker = new Worker({ agents: [billing(store, hooks)] });
    await worker.start();
    await until(() => hooks.inFlight === 1);
    const report = await worker.stop(5_000);
    expect(report).toEqual({ settled: 1, abandoned: [] });
    expect(worker.state).toBe('stopped');
    // The charge ran, its step is durable, the refund node did not start, and nobody holds the run.
    expect(hooks.effects).toEqual(['charge {"input":"refund"}']);
    const row = await store.getRun(runId);
    expect(row?.status).not.toBe('waiting_on_human');
    expect(row?.leaseOwner).toBeNull();

    const next = new Worker({ agents: [billing(store, hooks)], idlePoll: { minMs: 5, maxMs: 20 } });
    await next.start();
    try {
      await until(async () => (await store.getRun(runId))?.status === 'waiting_on_human');
      expect(hooks.effects).toEqual(['charge {"input":"refund"}']);
    } finally {
      await next.stop(1_000);
    }
  });

  it('stop() reports the runs still in flight when the grace period runs out', async () => {
    const store = new InMemoryStore();
    const hooks = { inFlight: 0, maxInFlight: 0, effects: [] as string[], holdMs: 1_000 };
    const runId = await billing(store, hooks).start('slow');
    worker = new Worker({ agents: [billing(store, hooks)] });
    await worker.start();
    await until(() => hooks.inFlight === 1);
    const report = await worker.stop(50);
    expect(report.abandoned).toEqual([runId]);
    expect(report.settled).toBe(0);
    await until(() => hooks.inFlight === 0);
  });

  it('serves /healthz, /readyz and /metrics, and /readyz turns 503 once stopping', async () => {
    const store = new InMemoryStore();
    const hooks = { inFlight: 0, maxInFlight: 0, effects: [] as string[] };
    const ids = await Promise.all([1, 2, 3].map((i) => billing(store, hooks).start(`o${i}`)));
    worker = new Worker({ agents: [billing(store, hooks)], idlePoll: { minMs: 5, maxMs: 20 } });
    const server = await startProbeServer(worker, { port: 0, host: '127.0.0.1' });
    const url = (path: string) => `http://127.0.0.1:${probePort(server)}${path}`;
    try {
      expect((await fetch(url('/readyz'))).status).toBe(503); // not started yet
      await worker.start();
      await until(async () =>
        (await Promise.all(ids.map((id) => store.getRun(id)))).every((r) => r?.status === 'completed'),
      );
      expect((await fetch(url('/healthz'))).status).toBe(200);
      expect((await fetch(url('/readyz'))).status).toBe(200);
      const metrics = await (await fetch(url('/metrics'))).text();
      expect(metrics).toMatch(/^kestrion_worker_claims_total 3$/m);
      expect(metrics).toMatch(/^kestrion_worker_runs_driven_total\{outcome="completed"\} 3$/m);
      expect(metrics).toMatch(/^kestrion_worker_claim_latency_seconds_count\{kind="new"\} 3$/m);
      // Counted by the store at scrape time.
      expect(metrics).toMatch(/^kestrion_queue_depth\{status="completed"\} 3$/m);
      expect((await fetch(url('/nope'))).status).toBe(404);
      expect((await fetch(url('/metrics'), { method: 'POST' })).status).toBe(405);
      await worker.stop(1_000);
      expect((await fetch(url('/readyz'))).status).toBe(503);
      expect((await fetch(url('/healthz'))).status).toBe(503);
    } finally {
      server.close();
    }
  });

  it('refuses agents it could not tell apart or lease consistently', async () => {
    const store = new InMemoryStore();
    const hooks = { inFlight: 0, maxInFlight: 0, effects: [] as string[] };
    await expect(
      new Worker({ agents: [billing(store, hooks), billing(store, hooks)] }).start(),
    ).rejects.toThrow(/two of the worker's agents are named "billing"/);
    await expect(
      new Worker({ agents: [billing(store, hooks), billing(new InMemoryStore(), hooks, 'support')] }).start(),
    ).rejects.toThrow(/agents "billing" and "support" use different stores/);
    expect(() => new Worker({ agents: [], concurrency: 0 })).toThrow(/concurrency must be an integer >= 1/);
    await expect(new Worker({ agents: [] }).start()).rejects.toThrow(/at least one agent/);
  });
});
