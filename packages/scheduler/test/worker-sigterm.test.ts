import { CRASH_STORES, type DisposableCrashTarget, openCrashTarget, readRun } from '@kestrion/testing';
import { END, Engine, type Lease, type Store, type StoredEvent, defineGraph } from '@kestrion/core';
import { Worker } from '@kestrion/scheduler';
import { openStore } from '@kestrion/store';
import { entriesOf, readJournals } from '../../../bench/src/worker-crash/journal-store';
import { Fleet } from '../../../bench/src/worker-crash/worker-fleet';
import type { WorkerProcess } from '../../../bench/src/worker-crash/worker-process';

// A worker process gets SIGTERM (`stopOnSignals`) in the middle of a 500 ms non-idempotent
// tool call. The lease TTL is long (5 s) so that a takeover by release and one by expiry cannot
// be confused. Children run bench/dist (`npm run build`).
const LEASE_TTL_MS = 5_000;
const GRACE_MS = 4_000;
const SLOW_CHARGE_MS = 500;

describe.each(CRASH_STORES)('SIGTERM to a worker inside a tool call (%s)', (kind) => {
  let target: DisposableCrashTarget;
  let fleet: Fleet;

  beforeAll(async () => {
    target = await openCrashTarget(kind, 'worker_sigterm');
  });
  afterEach(() => fleet?.killAll());
  afterAll(() => target.dispose());

  it('exits 0 within the grace, the call committed, and another worker takes the run over at once', async () => {
    fleet = new Fleet(
      target,
      { leaseTtlMs: LEASE_TTL_MS, concurrency: 4, idlePoll: { minMs: 10, maxMs: 50 }, graceMs: GRACE_MS },
      { awaitMs: [5, 10], slowChargeMs: SLOW_CHARGE_MS, announceCharge: true },
    );
    const workers = await Promise.all([fleet.start('a'), fleet.start('b')]);
    const runId = (await fleet.submit(1))[0] as string;
    const inTool = (p: WorkerProcess) => p.lines().includes(`in-tool charge ${runId}`);
    await Promise.race(workers.map((p) => p.waitForLine((l) => l === `in-tool charge ${runId}`)));
    const victim = workers.find(inTool) as WorkerProcess;
    const survivor = workers.find((p) => p !== victim) as WorkerProcess;

    const signalledAt = Date.now();
    const exit = await fleet.terminate(victim);
    const rowAtExit = await target.store.getRun(runId);
    await fleet.waitForAll([runId], 20_000);
    const { log } = await readRun(target.store, runId);
    const journal = readJournals(fleet.dir);
    const problems = await fleet.problems([runId]);
    const exits = await fleet.stopAll();

    // It waited for the call (it was at most 500 ms from its end) and exited 0 within the grace.
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    expect(exit.at - signalledAt).toBeLessThan(GRACE_MS);
    expect(victim.lines()).toContain('stopped {"settled":1,"abandoned":[]}');

    // The call's result and the step after it were committed under the victim's lease.
    const data = (e: StoredEvent) =>
      e.data as { callId?: string; tool?: string; node?: string; owner?: string };
    const charge = log.find((e) => e.type === 'tool.requested' && data(e).tool === 'charge');
    const callId = charge && data(charge).callId;
    const starts = log.filter((e) => e.type === 'tool.started' && data(e).callId === callId);
    expect(starts.map((e) => data(e).owner)).toEqual([victim.owner]);
    expect(log.filter((e) => e.type === 'tool.outcome_unknown')).toEqual([]);
    const claims = entriesOf(journal, 'claim', runId);
    const victimEpochs = new Set(claims.filter((c) => c.owner === victim.owner).map((c) => c.epoch));
    const committedByVictim = (e: StoredEvent | undefined) =>
      e !== undefined &&
      entriesOf(journal, 'append', runId).some(
        (a) => victimEpochs.has(a.epoch) && a.from <= e.seq && e.seq <= a.to,
      );
    expect(committedByVictim(log.find((e) => e.type === 'tool.completed' && data(e).callId === callId))).toBe(
      true,
    );
    expect(committedByVictim(log.find((e) => e.type === 'node.entered' && data(e).node === 'done'))).toBe(
      true,
    );

    // The lease was handed back: the victim held it no more once gone, and the survivor was
    // granted it before the victim's lease could have lapsed (so not by expiry), within the TTL.
    expect(rowAtExit?.leaseOwner ?? null).not.toBe(victim.owner);
    const victimExpiry = Math.max(
      ...[...claims, ...entriesOf(journal, 'renew', runId)]
        .filter((e) => victimEpochs.has(e.epoch))
        .map((e) => e.exp),
    );
    const takeover = claims.find((c) => c.owner === survivor.owner);
    expect(takeover?.now).toBeLessThan(victimExpiry);
    const takeoverMs = (takeover?.t1 ?? Infinity) - exit.at;
    expect(takeoverMs).toBeLessThan(LEASE_TTL_MS);
    process.stderr.write(
      `sigterm (${kind}): exited ${exit.at - signalledAt} ms after SIGTERM, survivor claimed ${takeoverMs} ms after the exit\n`,
    );

    // And the run completed with each effect once.
    expect(problems).toEqual({ leases: [], fencing: [], effects: [] });
    expect(exits).toEqual([{ code: 0, signal: null }]);
  }, 60_000);
});

// The window a busy worker is always in: SIGTERM while a claim is on its way back. The claim
// took the lease in the database; stop() must hand it back before it returns (the process exits
// right after), or the run waits out the whole lease TTL. In process, with the claim's answer
// delayed 200 ms on the real store; the worker's store is closed as soon as stop() returns.
describe.each(CRASH_STORES)('stop() while a claim is in flight (%s)', (kind) => {
  let target: DisposableCrashTarget;

  beforeAll(async () => {
    target = await openCrashTarget(kind, 'worker_stop_claim');
  });
  afterAll(() => target.dispose());

  it('hands back the run the claim returned before stop() resolves', async () => {
    const inner = await openStore(target.storeUrl);
    let claimed: (lease: Lease) => void = () => undefined;
    const claimedLease = new Promise<Lease>((resolve) => (claimed = resolve));
    const slowAnswers = new Proxy(inner, {
      get(store, key: keyof Store) {
        if (key === 'claimNext')
          return async (...args: Parameters<Store['claimNext']>) => {
            const lease = await store.claimNext(...args);
            if (lease) claimed(lease);
            await new Promise((r) => setTimeout(r, 200));
            return lease;
          };
        const value = store[key];
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(store) : value;
      },
    });
    const graph = defineGraph({ name: 'stop-claim', start: 'a', nodes: { a: async () => ({ next: END }) } });
    const runId = await new Engine({ store: target.store, graph }).start('x');
    const worker = new Worker({
      agents: [new Engine({ store: slowAnswers, graph, leaseTtlMs: 30_000 })],
      idlePoll: { minMs: 5, maxMs: 20 },
    });
    await worker.start();
    expect((await claimedLease).runId).toBe(runId);

    const report = await worker.stop(5_000);
    const driving = worker.activeRuns;
    await inner.close(); // what the process exiting does
    expect(driving).toEqual([]);
    expect(report.abandoned).toEqual([]);
    const row = await target.store.getRun(runId);
    expect(row?.leaseOwner ?? null).toBeNull();
    expect(row?.status).toBe('pending');
  });
});
