import {
  type AmbiguousTrial,
  ambiguousTrial,
  eventLabels,
  CRASH_STORES,
  openCrashTarget,
  type DisposableCrashTarget,
} from '@kestrion/testing';

// docs/reliability.md#2: 10 trials per store here (alternating the plain and the approved
// non-idempotent tool); `npm run torture` runs 100.
const TRIALS = 10;

describe.each(CRASH_STORES)('the ambiguous window (%s)', (kind) => {
  let target: DisposableCrashTarget;
  const trials: AmbiguousTrial[] = [];

  beforeAll(async () => {
    target = await openCrashTarget(kind, 'ambiguous');
    for (let i = 0; i < TRIALS; i++)
      trials.push(await ambiguousTrial(target, i % 2 === 0 ? 'notify' : 'apply'));
  }, 120_000);
  afterAll(() => target.dispose());

  it('parks outcome_unknown on resume after a SIGKILL between the effect and its record', () => {
    expect(trials.map((t) => t.killed)).toEqual(Array(TRIALS).fill(true));
    for (const t of trials) {
      expect(t.parked).toMatchObject({ status: 'waiting_on_human', waitingReason: 'outcome_unknown' });
      expect(eventLabels(t.log).filter((l) => l.startsWith('tool.outcome_unknown'))).toHaveLength(1);
    }
  });

  it('never re-executes the tool silently: one invocation at the park and at the end', () => {
    expect(trials.map((t) => [t.invocationsAtPark, t.invocationsAtEnd])).toEqual(Array(TRIALS).fill([1, 1]));
  });

  it('finishes with the result a person supplied from the ledger', () => {
    for (const t of trials) {
      expect(t.decisions).toMatchObject({ supplied: 1, retried: 0 });
      expect(t.state.status).toBe('completed');
      expect(t.state.data).toMatchObject({
        notified: { status: 'completed' },
        applied: { status: 'completed', result: { applied: { deployment: 'web', replicas: 3 } } },
      });
    }
  });
});
