import {
  type AcceptedTrial,
  type DurableAppendTrial,
  acceptedRunTrial,
  appliedCounts,
  durableAppendTrial,
  CRASH_STORES,
  openCrashTarget,
  type DisposableCrashTarget,
} from '@kestrion/testing';

// docs/reliability.md#4 and docs/reliability.md#5.
describe.each(CRASH_STORES)('durability under SIGKILL (%s)', (kind) => {
  let target: DisposableCrashTarget;

  beforeAll(async () => {
    target = await openCrashTarget(kind, 'durability');
  });
  afterAll(() => target.dispose());

  it('keeps a run whose start() resolved before the SIGKILL, and recover() drives it to the end', async () => {
    const trials: AcceptedTrial[] = [];
    for (let i = 0; i < 3; i++) trials.push(await acceptedRunTrial(target));
    for (const t of trials) {
      expect(t.killed).toBe(true);
      expect(t.record).toMatchObject({ runId: t.runId, status: 'pending', headSeq: 1 });
      expect(t.eventsAfterKill.map((e) => e.type)).toEqual(['run.started']);
      expect(t.recovered?.results).toEqual([{ runId: t.runId, status: 'completed' }]);
      expect(t.state.status).toBe('completed');
      expect(appliedCounts(t.effects)).toEqual({ read_state: 1, notify: 1, apply: 1, audit: 1 });
    }
  });

  it('finds every append that resolved before a SIGKILL after reopening the store', async () => {
    const t: DurableAppendTrial = await durableAppendTrial(target, 4);
    expect(t.printed.length).toBeGreaterThanOrEqual(80);
    expect(t.stored).toEqual(Array.from({ length: t.stored.length }, (_, i) => i + 1));
    const stored = new Set(t.stored);
    expect(t.printed.filter((seq) => !stored.has(seq))).toEqual([]);
  });
});
