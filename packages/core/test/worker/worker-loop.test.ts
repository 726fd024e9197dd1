import {
  AgentMismatchError,
  END,
  Engine,
  FakeClock,
  type Lease,
  type RunView,
  defineGraph,
  recoverRuns,
  type Store,
} from '@kestrion/core';
import {
  inMemoryStoreFactory,
  postgresStoreFactory,
  sqliteFileStoreFactory,
  type StoreFactory,
} from '@kestrion/testing';

/** Two agents on one store: a worker for `billing` must never touch a `support` run. */
let tests = 0;

/** Stores are shared by the tests of a file: each test has agents of its own. */
function engines(store: Store, clock: FakeClock, effects: string[]) {
  const tag = `${process.pid}-${++tests}`;
  const billing = new Engine({
    store,
    clock,
    owner: 'worker-1',
    graph: defineGraph({
      name: `billing-${tag}`,
      start: 'charge',
      tools: [
        { name: 'charge', invoke: (args) => (effects.push(`charge ${JSON.stringify(args)}`), 'ok') },
        { name: 'refund', requiresApproval: true, invoke: () => (effects.push('refund'), 'refunded') },
      ],
      nodes: {
        charge: async (ctx) => {
          const r = await ctx.callTool('charge', { input: ctx.input });
          return ctx.input === 'refund-too' ? { next: 'refund' } : { next: END, output: r.status };
        },
        refund: async (ctx) => ({ next: END, output: (await ctx.callTool('refund', {})).status }),
      },
    }),
  });
  const support = new Engine({
    store,
    clock,
    graph: defineGraph({
      name: `support-${tag}`,
      start: 'a',
      nodes: { a: () => ({ next: END, output: 'support' }) },
    }),
  });
  return { billing, support };
}

/** What a worker process will run: claim this agent's runs, drive each, until none is left. */
async function workerLoop(engine: Engine): Promise<RunView[]> {
  const driven: RunView[] = [];
  for (;;) {
    const lease = await engine.store.claimNext({
      owner: engine.owner,
      ttlMs: engine.leaseTtlMs,
      now: engine.clock.now(),
      agents: [engine.agent],
    });
    if (!lease) return driven;
    driven.push(await engine.drive(lease));
  }
}

describe.each<[string, () => StoreFactory]>([
  ['in-memory', inMemoryStoreFactory],
  ['SQLite file', sqliteFileStoreFactory],
  ['PostgreSQL', postgresStoreFactory],
])('a worker claims and drives runs (%s)', (_, makeFactory) => {
  const factory = makeFactory();
  beforeAll(() => factory.setup?.());
  afterAll(() => factory.dispose?.());

  it('drives every run of its agent with drive(lease), parks and ends them, and leaves other agents alone', async () => {
    const store = await factory.open();
    try {
      // Far in the future: only this test's runs are unleased there.
      const clock = new FakeClock(Date.UTC(2033, 0, 1));
      const effects: string[] = [];
      const { billing, support } = engines(store, clock, effects);
      const ids = [
        await billing.start('a'),
        await support.start('s1'),
        await billing.start('b'),
        await billing.start('refund-too'),
        await support.start('s2'),
        await billing.start('c'),
      ];
      const [a, s1, b, refund, s2, c] = ids as [string, string, string, string, string, string];

      const driven = await workerLoop(billing);

      expect(driven.map((v) => [v.runId, v.status]).sort()).toEqual(
        [
          [a, 'completed'],
          [b, 'completed'],
          [refund, 'waiting_on_human'],
          [c, 'completed'],
        ].sort(),
      );
      expect(effects.filter((e) => e.startsWith('charge')).sort()).toEqual(
        [
          'charge {"input":"a"}',
          'charge {"input":"b"}',
          'charge {"input":"c"}',
          'charge {"input":"refund-too"}',
        ].sort(),
      );
      // Every lease is disposed of: ended runs freed theirs, the parked one was released.
      for (const id of [a, b, refund, c]) expect((await store.getRun(id))?.leaseOwner).toBeNull();
      // The other agent's runs were never claimed, never touched.
      for (const id of [s1, s2])
        expect(await store.getRun(id)).toMatchObject({ status: 'pending', leaseOwner: null, headSeq: 1 });

      // A decision makes the parked run claimable again; the next loop finishes it.
      await billing.approve(refund, { by: 'alice' });
      const second = await workerLoop(billing);
      expect(second.map((v) => [v.runId, v.status])).toEqual([[refund, 'completed']]);
      expect(effects.filter((e) => e === 'refund')).toHaveLength(1);
      expect(await workerLoop(billing)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it("refuses a lease on another agent's run with AgentMismatchError and leaves the lease as it was", async () => {
    const store = await factory.open();
    try {
      const clock = new FakeClock(Date.UTC(2034, 0, 1));
      const { billing, support } = engines(store, clock, []);
      const runId = await support.start('s');
      const lease = (await store.claimNext({
        owner: 'w',
        ttlMs: 60_000,
        now: clock.now(),
        agents: [support.agent],
      })) as Lease;
      expect(lease.runId).toBe(runId);
      const refused = await billing.drive(lease).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(AgentMismatchError);
      expect(refused).toMatchObject({
        code: 'agent_mismatch',
        runAgent: support.agent,
        engineAgent: billing.agent,
      });
      // Nothing was written and the claim still holds.
      expect(await store.getRun(runId)).toMatchObject({
        status: 'pending',
        headSeq: 1,
        leaseOwner: 'w',
        leaseEpoch: lease.epoch,
      });
      // The right engine drives it under the same lease.
      expect((await support.drive(lease)).status).toBe('completed');
    } finally {
      await store.close();
    }
  });

  it('recoverRuns claims with drive, reports runs it cannot load, and does not claim them again until their lease lapses', async () => {
    const store = await factory.open();
    try {
      const clock = new FakeClock(Date.UTC(2035, 0, 1));
      const effects: string[] = [];
      const { billing } = engines(store, clock, effects);
      const ok = await billing.start('ok');
      const garbled = await billing.start('garbled');
      await store.append(garbled, 1, [
        { id: `e-${garbled}`, type: 'acme:note', at: new Date(clock.now()).toISOString(), data: { n: 1 } },
      ]);
      await factory.corrupt(store, garbled, 2, 'garbage');
      // A crashed driver: its lease expires, and the sweep takes the run over.
      const crashed = await billing.start('crashed');
      await store.acquireLease(crashed, { owner: 'dead', ttlMs: 1000, now: clock.now() });
      const live = await billing.start('live');
      await store.acquireLease(live, { owner: 'alive', ttlMs: 3_600_000, now: clock.now() });
      clock.advance(2000);

      const report = await recoverRuns(billing);
      expect(report.recovered.map((v) => [v.runId, v.status]).sort()).toEqual(
        [
          [ok, 'completed'],
          [crashed, 'completed'],
        ].sort(),
      );
      expect(report.failed.map((f) => [f.runId, f.error.code])).toEqual([[garbled, 'corrupt_log']]);
      expect(report.busy).toEqual([]);
      // The live driver's run is not taken over.
      expect(await store.getRun(live)).toMatchObject({ status: 'pending', leaseOwner: 'alive' });
      // The unloadable run keeps the sweep's lease until it lapses: the next sweep skips it...
      expect(await recoverRuns(billing)).toEqual({ recovered: [], failed: [], busy: [] });
      // ...and the one after the lease TTL tries again.
      clock.advance(billing.leaseTtlMs + 1);
      expect((await recoverRuns(billing)).failed.map((f) => f.runId)).toEqual([garbled]);
    } finally {
      await store.close();
    }
  });
});
