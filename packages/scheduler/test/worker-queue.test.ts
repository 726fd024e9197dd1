import {
  END,
  Engine,
  FakeClock,
  InMemoryQuotaStore,
  InMemoryStore,
  type Store,
  defineGraph,
  withQuota,
} from '@kestrion/core';
import { ScriptedProvider } from '@kestrion/core/provider-kit';
import { Worker } from '@kestrion/scheduler';
import { openStore, postgresWakeups } from '@kestrion/store';
import { createTestDatabase, type TestDatabase } from '@kestrion/testing';

async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A one-node agent whose node takes `holdMs` and records who ran, when. */
function slowAgent(
  store: Store,
  log: { active: Map<string, number>; maxPerKey: Map<string, number>; order: string[] },
  holdMs = 30,
) {
  return new Engine({
    store,
    graph: defineGraph({
      name: 'orders',
      start: 'work',
      nodes: {
        work: async (ctx) => {
          const key = String(ctx.input).split('/')[0] as string;
          log.order.push(String(ctx.input));
          log.active.set(key, (log.active.get(key) ?? 0) + 1);
          log.maxPerKey.set(key, Math.max(log.maxPerKey.get(key) ?? 0, log.active.get(key) as number));
          await new Promise((r) => setTimeout(r, holdMs));
          log.active.set(key, (log.active.get(key) as number) - 1);
          return { next: END, output: 'ok' };
        },
      },
    }),
  });
}

describe('Worker and the queue', () => {
  const workers: Worker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop(2_000)));
  });
  const started = async (w: Worker) => (workers.push(w), await w.start(), w);

  it('drives at most concurrencyKeyLimit runs of one customer at once across two workers, others in parallel', async () => {
    const store = new InMemoryStore();
    const log = {
      active: new Map<string, number>(),
      maxPerKey: new Map<string, number>(),
      order: [] as string[],
    };
    const api = slowAgent(store, log);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++)
      for (const c of ['acme', 'globex', 'initech'])
        ids.push(await api.start(`${c}/${i}`, { concurrencyKey: c }));
    for (const owner of ['w1', 'w2'])
      await started(
        new Worker({
          agents: [slowAgent(store, log)],
          owner,
          concurrency: 8,
          concurrencyKeyLimit: 1,
          idlePoll: { minMs: 5, maxMs: 20 },
        }),
      );
    await until(async () =>
      (await Promise.all(ids.map((id) => store.getRun(id)))).every((r) => r?.status === 'completed'),
    );
    expect(Object.fromEntries(log.maxPerKey)).toEqual({ acme: 1, globex: 1, initech: 1 });
  });

  it('takes higher priority first', async () => {
    const store = new InMemoryStore();
    const log = {
      active: new Map<string, number>(),
      maxPerKey: new Map<string, number>(),
      order: [] as string[],
    };
    const api = slowAgent(store, log, 1);
    for (const [name, priority] of [
      ['low', -5],
      ['normal', 0],
      ['urgent', 10],
      ['high', 5],
    ] as const)
      await api.start(`${name}/0`, { priority });
    const w = await started(new Worker({ agents: [slowAgent(store, log, 1)], concurrency: 1 }));
    await until(() => log.order.length === 4);
    expect(log.order).toEqual(['urgent/0', 'high/0', 'normal/0', 'low/0']);
    expect(w.health().ready).toBe(true);
  });

  it('a run throttled by a full quota lets go of its slot, is counted as waiting_for_quota, and completes when the bucket has room', async () => {
    const clock = new FakeClock(Date.parse('2026-12-06T00:00:00Z'));
    const store = new InMemoryStore();
    const quota = new InMemoryQuotaStore();
    const provider = withQuota(
      new ScriptedProvider(Array.from({ length: 3 }, (_, i) => ({ text: `a${i}` }))),
      {
        quota,
        limits: { '*': { requestsPerMinute: 2 } },
        clock,
      },
    );
    const engine = () =>
      new Engine({
        store,
        clock,
        provider,
        graph: defineGraph({
          name: 'asker',
          start: 'ask',
          nodes: {
            ask: async (ctx) => ({
              next: END,
              output: (await ctx.callModel({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })).text,
            }),
          },
        }),
      });
    const ids = await Promise.all([1, 2, 3].map((i) => engine().start(`q${i}`)));
    const w = await started(
      new Worker({
        agents: [engine()],
        now: () => clock.now(),
        idlePoll: { minMs: 5, maxMs: 10 },
        quota: { store: quota },
      }),
    );
    const statusOf = async () => (await Promise.all(ids.map((id) => store.getRun(id)))).map((r) => r?.status);
    await until(async () => (await statusOf()).filter((s) => s === 'completed').length === 2);
    await until(async () =>
      (await w.metrics.text()).includes('kestrion_worker_quota_waits_total{bucket="scripted:m"}'),
    );
    const throttled = (await Promise.all(ids.map((id) => store.getRun(id)))).find(
      (r) => r?.status === 'pending',
    );
    expect(throttled).toMatchObject({ runnable: false, leaseOwner: null });
    expect(w.activeRuns).toEqual([]); // no slot held while waiting
    expect(await w.metrics.text()).toMatch(
      /kestrion_worker_runs_driven_total\{outcome="waiting_for_quota"\} [1-9]/,
    );
    const text = await w.metrics.text();
    // The denial as a provider error, and the bucket's window read from the quota store.
    expect(text).toMatch(/^kestrion_provider_errors_total\{code="quota_exhausted"\} [1-9]/m);
    expect(text).toMatch(/^kestrion_quota_usage\{bucket="scripted:m",measure="requests"\} 2$/m);
    clock.advance(62_000);
    await until(async () => (await statusOf()).every((s) => s === 'completed'));
  });

  it('counts the claim latency of a throttled run from when its quota had room, not from its throttle', async () => {
    const clock = new FakeClock(Date.parse('2026-12-06T00:00:00Z'));
    const store = new InMemoryStore();
    const provider = withQuota(new ScriptedProvider([{ text: 'a' }, { text: 'b' }]), {
      quota: new InMemoryQuotaStore(),
      limits: { '*': { requestsPerMinute: 1 } },
      clock,
    });
    const engine = () =>
      new Engine({
        store,
        clock,
        provider,
        graph: defineGraph({
          name: 'asker',
          start: 'ask',
          nodes: {
            ask: async (ctx) => ({
              next: END,
              output: (await ctx.callModel({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })).text,
            }),
          },
        }),
      });
    const ids = await Promise.all([1, 2].map((i) => engine().start(`q${i}`)));
    const w = await started(
      new Worker({ agents: [engine()], now: () => clock.now(), idlePoll: { minMs: 5, maxMs: 10 } }),
    );
    const rows = async () => Promise.all(ids.map((id) => store.getRun(id)));
    await until(async () => (await rows()).some((r) => r?.status === 'pending' && r.nextDueAtMs !== null));
    const throttled = (await rows()).find((r) => r?.nextDueAtMs !== null);
    // The quota has room ~61 s after the throttle; the run is claimed 2 s after that.
    clock.advance((throttled?.nextDueAtMs as number) - clock.now() + 2_000);
    await until(async () => (await rows()).every((r) => r?.status === 'completed'));
    const metrics = await w.metrics.text();
    expect(metrics).toMatch(/^kestrion_worker_claim_latency_seconds_count\{kind="resumed"\} 1$/m);
    const sum = /^kestrion_worker_claim_latency_seconds_sum\{kind="resumed"\} (\S+)$/m.exec(metrics)?.[1];
    expect(Number(sum)).toBeCloseTo(2, 3);
  });

  describe('on PostgreSQL', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase('kestrion_worker_queue');
    });
    afterAll(async () => {
      await db.drop();
    });

    it('claims a submitted run within milliseconds through LISTEN/NOTIFY while its idle poll is 10 s', async () => {
      const store = await openStore(db.url);
      try {
        const log = {
          active: new Map<string, number>(),
          maxPerKey: new Map<string, number>(),
          order: [] as string[],
        };
        const w = await started(
          new Worker({
            agents: [slowAgent(store, log, 1)],
            idlePoll: { minMs: 10_000, maxMs: 10_000 },
            wakeups: postgresWakeups(db.url),
          }),
        );
        // Let the worker's first empty claim pass: it is now in a 10 s idle wait.
        await new Promise((r) => setTimeout(r, 200));
        const t0 = Date.now();
        const id = await slowAgent(store, log, 1).start('acme/0');
        await until(async () => (await store.getRun(id))?.status === 'completed', 5_000);
        expect(Date.now() - t0).toBeLessThan(2_000);
        await w.stop(1_000);
      } finally {
        await store.close();
      }
    });
  });
});
