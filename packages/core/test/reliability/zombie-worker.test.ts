import {
  type ZombieTrial,
  appliedCounts,
  eventLabels,
  zombieTrial,
  CRASH_STORES,
  openCrashTarget,
  type DisposableCrashTarget,
} from '@kestrion/testing';

// docs/reliability.md#7, with a 400 ms lease. Paused three times: inside a slow idempotent tool
// (its effect done, its result not yet recorded); right after `tool.started` of the
// non-idempotent `notify` was durable, before the tool ran; right after `llm.requested` was
// durable, before the model was called (the local fence must stop both).
describe.each(CRASH_STORES)('a zombie worker (%s)', (kind) => {
  let target: DisposableCrashTarget;

  beforeAll(async () => {
    target = await openCrashTarget(kind, 'zombie');
  });
  afterAll(() => target.dispose());

  function expectHarmless(t: ZombieTrial): void {
    expect(t.zombie?.error?.code).toMatch(/^(lease_lost|concurrency)$/);
    expect(t.logAtEnd.map((e) => e.id)).toEqual(t.logAtTakeover.map((e) => e.id));
    expect(t.zombieEffectsAfterPause).toEqual([]);
    expect(t.state.status).toBe('completed');
    expect(appliedCounts(t.effects)).toEqual({ read_state: 1, notify: 1, apply: 1, audit: 1 });
  }

  it('appends nothing and runs no tool after waking inside a tool past its lease', async () => {
    const t = await zombieTrial(target, { insideTool: 'read_state' });
    expectHarmless(t);
    expect(t.effects.filter((e) => e.name === 'read_state').map((e) => e.applied)).toEqual([true, false]);
  });

  it('does not run a tool whose start it recorded before it was paused past its lease', async () => {
    const t = await zombieTrial(target, { stopAfterEvent: 11 });
    expect(eventLabels(t.logAtTakeover)[10]).toBe('tool.started:notify');
    expectHarmless(t);
    expect(t.takeover?.decisions).toMatchObject({ retried: 1 });
    expect(t.effects.filter((e) => e.name === 'notify').map((e) => e.pid)).not.toContain(t.zombiePid);
  });

  it('does not call the model for a request it recorded before it was paused past its lease', async () => {
    const t = await zombieTrial(target, { stopAfterEvent: 7 });
    expect(eventLabels(t.logAtTakeover)[6]).toBe('llm.requested:2:0');
    expectHarmless(t);
    expect(t.effects.filter((e) => e.kind === 'model').map((e) => e.pid)).not.toContain(t.zombiePid);
  });
});

// The double effect torture found: a driver paused inside a non-idempotent tool, before its
// effect, past its lease. Another process recovers the run (outcome unknown), a person retries
// the call and it runs; then the paused driver wakes. Its tool must not act: the signal is
// aborted by the local clock on waking, and `assertLeaseHeld()` refuses.
describe.each(CRASH_STORES)('a driver paused before a tool effect past its lease (%s)', (kind) => {
  let target: DisposableCrashTarget;

  beforeAll(async () => {
    target = await openCrashTarget(kind, 'zombie-effect');
  });
  afterAll(() => target.dispose());

  it.each(['signal', 'assert'] as const)(
    'does not perform the effect after waking (the tool checks its %s)',
    async (check) => {
      const t = await zombieTrial(target, { beforeEffect: { name: 'notify', ms: 1000, check } });
      expect(t.takeover?.decisions).toMatchObject({ retried: 1 });
      expect(t.zombieEffectsAfterPause).toEqual([]);
      expect(t.effects.filter((e) => e.name === 'notify').map((e) => e.pid)).not.toContain(t.zombiePid);
      expect(appliedCounts(t.effects)).toEqual({ read_state: 1, notify: 1, apply: 1, audit: 1 });
      expect(t.state.status).toBe('completed');
      expect(t.logAtEnd.map((e) => e.id)).toEqual(t.logAtTakeover.map((e) => e.id));
    },
  );
});
