import {
  type ZombieTrial,
  appliedCounts,
  eventLabels,
  zombieTrial,
  CRASH_STORES,
  openCrashTarget,
  type DisposableCrashTarget,
} from '@kestrion/testing';

// RELIABILITY.md #7, with a 400 ms lease. Paused three times: inside a slow idempotent tool
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
