import {
  type CrashMatrix,
  appliedCounts,
  eventLabels,
  runCrashMatrix,
  CRASH_STORES,
  openCrashTarget,
  type DisposableCrashTarget,
} from '@kestrion/testing';

// docs/reliability.md#1. "Equal to the uncrashed run" is `crashProblems` (@kestrion/testing):
// same status, output and graph data; the same event sequence once recovery's own events
// (tool.outcome_unknown, run.waiting for it, tool.retry_approved) are dropped and a re-issued
// tool.started / llm.requested is collapsed into the interrupted one; seqs 1..n; each
// idempotency key applied at most once; each non-idempotent tool applied exactly once.
// Every k is used on both stores here; `npm run torture` repeats the full matrix.
describe.each(CRASH_STORES)('kill at every event boundary (%s)', (kind) => {
  let target: DisposableCrashTarget;
  let matrix: CrashMatrix;

  beforeAll(async () => {
    target = await openCrashTarget(kind, 'kill_every');
    const points = [
      ...Array.from({ length: 26 }, (_, i) => ({ killAfterEvent: i + 1 })),
      { killInsideTool: 'read_state' },
      { killInsideTool: 'notify' },
      { killInsideTool: 'apply' },
    ];
    matrix = await runCrashMatrix(target, { points });
  }, 120_000);
  afterAll(() => target.dispose());

  it('runs a ~30-event uncrashed run with a model call, both kinds of tool and an approval', () => {
    const labels = eventLabels(matrix.baseline.log);
    expect(matrix.baseline.state.status).toBe('completed');
    expect(labels).toHaveLength(26);
    expect(labels).toEqual(
      expect.arrayContaining([
        'llm.completed:2:0',
        'tool.completed:read_state',
        'tool.completed:notify',
        'approval.granted:apply',
        'tool.completed:apply',
      ]),
    );
  });

  it('ends every crashed run equal to the uncrashed one, gap-free, each effect at most once', () => {
    expect(matrix.trials.every((t) => t.outcome.killed)).toBe(true);
    const bad = matrix.trials
      .filter((t) => t.problems.length > 0)
      .map((t) => ({ point: t.point, problems: t.problems }));
    expect(bad).toEqual([]);
    for (const t of matrix.trials)
      expect(appliedCounts(t.outcome.effects)).toEqual({ read_state: 1, notify: 1, apply: 1, audit: 1 });
  });

  it('parks a non-idempotent call killed between tool.started and its outcome until a person decides', () => {
    const labels = eventLabels(matrix.baseline.log);
    for (const tool of ['notify', 'apply']) {
      const k = labels.indexOf(`tool.started:${tool}`) + 1;
      const trial = matrix.trials.find((t) => t.point.killAfterEvent === k);
      const after = eventLabels(trial!.outcome.log);
      // Killed before the tool ran: the ledger shows no effect, so the person retries it.
      expect(after).toContain(`tool.outcome_unknown:${tool}`);
      expect(after).toContain('run.waiting:outcome_unknown');
      expect(after).toContain(`tool.retry_approved:${tool}`);
      expect(trial!.outcome.decisions).toMatchObject({ retried: 1, supplied: 0 });
      expect(trial!.outcome.effects.filter((e) => e.name === tool)).toHaveLength(1);
      // Killed inside the tool after its effect: the person supplies the recorded result.
      const inside = matrix.trials.find((t) => t.point.killInsideTool === tool);
      expect(eventLabels(inside!.outcome.log)).toContain(`tool.outcome_unknown:${tool}`);
      expect(inside!.outcome.decisions).toMatchObject({ retried: 0, supplied: 1 });
      expect(inside!.outcome.effects.filter((e) => e.name === tool)).toHaveLength(1);
    }
  });

  it('retries an idempotent call killed mid-effect on its own, with the same key and no second effect', () => {
    const trial = matrix.trials.find((t) => t.point.killInsideTool === 'read_state')!;
    const calls = trial.outcome.effects.filter((e) => e.name === 'read_state');
    expect(calls.map((c) => c.applied)).toEqual([true, false]);
    expect(calls[0]!.key).toBe(calls[1]!.key);
    expect(eventLabels(trial.outcome.log)).not.toContain('tool.outcome_unknown:read_state');
    expect(trial.outcome.decisions).toMatchObject({ retried: 0, supplied: 0 });
  });
});
