import {
  type RaceTrial,
  type SweepTrial,
  appliedCounts,
  racingResumers,
  sweepRace,
  CRASH_STORES,
  openCrashTarget,
  type DisposableCrashTarget,
} from '@kestrion/testing';

// docs/reliability.md#6 and docs/reliability.md#9.
describe.each(CRASH_STORES)('several processes on one run (%s)', (kind) => {
  let target: DisposableCrashTarget;

  beforeAll(async () => {
    target = await openCrashTarget(kind, 'owners');
  });
  afterAll(() => target.dispose());

  it.each([2, 4, 8])(
    'lets exactly one of %i racing resumers proceed; the others are busy and call nothing',
    async (n) => {
      const t: RaceTrial = await racingResumers(target, n);
      const results = t.reports.map((r) => r.results[0]!);
      const winners = t.reports.filter((r) => r.results[0]?.status !== undefined);
      expect(winners).toHaveLength(1);
      expect(results.filter((r) => r.busy)).toHaveLength(n - 1);
      expect(results.filter((r) => r.error)).toEqual([]);
      const losers = new Set(t.reports.filter((r) => r !== winners[0]).map((r) => r.pid));
      expect(t.effects.filter((e) => losers.has(e.pid))).toEqual([]);
      expect(t.state.status).toBe('completed');
      expect(t.effects.filter((e) => e.kind === 'model')).toHaveLength(2);
      expect(appliedCounts(t.effects)).toEqual({ read_state: 1, notify: 1, apply: 1, audit: 1 });
    },
  );

  it('completes every run once while two recovery sweeps race the live owner', async () => {
    const t: SweepTrial = await sweepRace(target, 6);
    expect(t.states.map((s) => s.status)).toEqual(Array(6).fill('completed'));
    for (const runId of t.runIds) {
      const mine = t.effects.filter((e) => e.runId === runId);
      expect(
        mine
          .filter((e) => e.kind === 'tool')
          .map((e) => e.name)
          .sort(),
      ).toEqual(['apply', 'audit', 'notify', 'read_state']);
      expect(mine.filter((e) => e.kind === 'model')).toHaveLength(2);
    }
    const driven = [t.owner, ...t.sweepers].flatMap((r) => r.results.filter((x) => x.status === 'completed'));
    expect(new Set(driven.map((d) => d.runId))).toEqual(new Set(t.runIds));
  });
});
