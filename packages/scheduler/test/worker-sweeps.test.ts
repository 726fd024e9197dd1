import { CRASH_STORES, type DisposableCrashTarget, openCrashTarget } from '@kestrion/testing';
import { readJournals } from '../../../bench/src/worker-crash/journal-store';
import { Fleet } from '../../../bench/src/worker-crash/worker-fleet';

// docs/reliability.md#9 with a Worker as the live owner: two more processes run
// `recoverRuns(engine)` in a loop (every 20 ms) while a worker process drives the same runs.
// Halfway through, the worker is SIGKILLed and restarted, so the sweeps also have expired
// leases to take over while the new worker races them. Children run bench/dist (`npm run build`).
const RUNS = 80;

/** Resolves when `check` holds, polling every 10 ms; fails after `ms`. */
async function until(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.each(CRASH_STORES)('recovery sweeps racing a live worker (%s)', (kind) => {
  let target: DisposableCrashTarget;
  let fleet: Fleet;

  beforeAll(async () => {
    target = await openCrashTarget(kind, 'worker_sweeps');
  });
  afterEach(() => fleet?.killAll());
  afterAll(() => target.dispose());

  it('completes every run once, each effect once, one lease at a time', async () => {
    const t0 = Date.now();
    // Each run holds its lease 20-80 ms, so the worker holds some at any moment of the submission.
    fleet = new Fleet(
      target,
      { leaseTtlMs: 1_000, concurrency: 8, idlePoll: { minMs: 10, maxMs: 50 } },
      { awaitMs: [20, 80] },
    );
    const [worker] = await Promise.all([
      fleet.start('worker'),
      fleet.start('sweep-a', 'sweeper'),
      fleet.start('sweep-b', 'sweeper'),
    ]);
    // Watched while the runs are still being submitted: once the last is in, the queue drains
    // in a few ms and a loaded machine could miss the moment the worker holds a lease.
    const submitted = fleet.submit(RUNS, 100);
    // Killed while it holds leases (some runs done), so that they expire in the sweeps' sight.
    await until(async () => {
      const running = await target.store.listRuns({ status: 'running', limit: 100 });
      const done = await target.store.listRuns({ status: 'completed', limit: RUNS });
      return done.runs.length >= 10 && running.runs.some((r) => r.leaseOwner === worker.owner);
    });
    await fleet.killAndRestart('worker');
    const runIds = await submitted;
    await fleet.waitForAll(runIds, 60_000);
    const problems = await fleet.problems(runIds);
    const exits = await fleet.stopAll();
    process.stderr.write(
      `sweeps (${kind}): ${RUNS} runs in ${Date.now() - t0} ms, ${fleet.orphans.length} orphaned by the kill, ` +
        `operator ${JSON.stringify(fleet.operator)}, errors ${JSON.stringify(fleet.childErrors())}\n`,
    );

    expect(problems).toEqual({ leases: [], fencing: [], effects: [] });
    // Both kinds of process drove runs: the sweeps raced the worker, not an idle store.
    const claimedBy = new Set(
      readJournals(fleet.dir).flatMap((e) => (e.k === 'claim' ? [e.owner.split(':')[0]] : [])),
    );
    expect(claimedBy).toEqual(new Set(['worker', 'sweep-a', 'sweep-b']));
    expect(fleet.orphans.length).toBeGreaterThan(0);
    expect(exits).toEqual(Array(3).fill({ code: 0, signal: null }));
  }, 90_000);
});
