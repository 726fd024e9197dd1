import { type DisposableCrashTarget, openCrashTarget, terminateBackendsEvery } from '@kestrion/testing';
import { entriesOf, readJournals } from '../../../bench/src/worker-crash/journal-store';
import { Fleet } from '../../../bench/src/worker-crash/worker-fleet';
import type { WorkerProcess } from '../../../bench/src/worker-crash/worker-process';

// PostgreSQL connections killed mid-run (docs/reliability.md#11, here with Worker processes): while two workers drive a queue, every other
// backend of the test database is terminated (`pg_terminate_backend`) every 250 ms, this
// process's own included. The workers' store reconnects; drives that failed leave their lease
// to lapse and are claimed again. Children run bench/dist (`npm run build`).
const RUNS = 300;
const LATE_RUNS = 20;

/** Resolves when `check` holds, polling every 20 ms; fails after `ms`. */
async function until(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const probe = (p: WorkerProcess, path: string) => fetch(`http://127.0.0.1:${p.port()}${path}`);

describe('PostgreSQL backends terminated under running workers', () => {
  let target: DisposableCrashTarget;
  let fleet: Fleet;

  beforeAll(async () => {
    target = await openCrashTarget('postgres', 'worker_pgkill');
  });
  afterEach(() => fleet?.killAll());
  afterAll(() => target.dispose());

  it('lets every run finish with each effect once, and the workers claim again and turn ready', async () => {
    const t0 = Date.now();
    fleet = new Fleet(
      target,
      { leaseTtlMs: 1_500, concurrency: 8, idlePoll: { minMs: 10, maxMs: 100 }, probe: true },
      { awaitMs: [30, 80] },
    );
    const workers = await Promise.all([fleet.start('w0'), fleet.start('w1')]);
    const runIds = await fleet.submit(RUNS);

    // Terminate until the workers felt it (at least 3 errors reported) and for 2 s at least.
    const terminator = await terminateBackendsEvery(target.storeUrl, 250);
    const churnStart = Date.now();
    const errorsSeen = () => Object.values(fleet.childErrors()).reduce((a, b) => a + b, 0);
    await until(async () => {
      await fleet.tick();
      return Date.now() - churnStart >= 2_000 && errorsSeen() >= 3;
    }, 30_000);
    const terminated = await terminator.stop();
    const churnEnd = Date.now();
    const errors = fleet.childErrors();

    await fleet.waitForAll(runIds, 60_000);
    // Both report ready again (the last claim reached the store)...
    for (const p of workers) await until(async () => (await probe(p, '/readyz')).status === 200, 10_000);
    const metrics = await Promise.all(workers.map(async (p) => (await probe(p, '/metrics')).text()));
    // ...and keep claiming: runs recorded after the terminations are driven too.
    const lateIds = await fleet.submit(LATE_RUNS);
    await fleet.waitForAll(lateIds, 30_000);
    const problems = await fleet.problems([...runIds, ...lateIds]);
    const exits = await fleet.stopAll();
    const claimErrors = metrics.map((m) => /^kestrion_worker_claim_errors_total (\d+)$/m.exec(m)?.[1]);
    process.stderr.write(
      `pg terminations: ${terminated} backends terminated over ${churnEnd - churnStart} ms; worker errors ` +
        `${JSON.stringify(errors)}; claim errors by metrics ${JSON.stringify(claimErrors)}; operator ` +
        `${JSON.stringify({ ...fleet.operator, parkedRuns: fleet.operator.parkedRuns.length })}; ` +
        `${RUNS + LATE_RUNS} runs in ${Date.now() - t0} ms\n`,
    );

    expect(terminated).toBeGreaterThan(0);
    expect(errorsSeen()).toBeGreaterThanOrEqual(3);
    // What the workers saw was the store's typed, retryable error, never a driver's own.
    expect(Object.keys(errors).filter((k) => !k.startsWith('StoreError '))).toEqual([]);
    expect(problems).toEqual({ leases: [], fencing: [], effects: [] });
    const lateClaimers = new Set(
      entriesOf(readJournals(fleet.dir), 'claim')
        .filter((c) => c.t1 > churnEnd && lateIds.includes(c.run))
        .map((c) => c.owner),
    );
    expect(lateClaimers).toEqual(new Set(workers.map((p) => p.owner)));
    expect(exits).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
  }, 120_000);
});
