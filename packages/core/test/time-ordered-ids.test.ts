import { FakeClock, timeOrderedIds } from '@kestrion/core';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('timeOrderedIds', () => {
  it('makes RFC 9562 version-7 UUIDs carrying the clock millisecond, after the prefix', () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 26, 12, 0, 0, 123));
    const id = timeOrderedIds(clock).newId('run');
    expect(id).toMatch(/^run_/);
    const uuid = id.slice(4);
    expect(uuid).toMatch(UUID_V7);
    expect(parseInt(uuid.replace(/-/g, '').slice(0, 12), 16)).toBe(clock.now());
  });

  it('sorts ids in the order they were made, within one millisecond and across a clock going back', () => {
    const clock = new FakeClock();
    const ids = timeOrderedIds(clock);
    const made: string[] = [];
    for (let i = 0; i < 5000; i++) {
      made.push(ids.newId());
      if (i % 1000 === 999) clock.advance(i === 2999 ? -60_000 : 1);
    }
    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(made.length);
    for (const id of made) expect(id).toMatch(UUID_V7);
  });

  it('is unique across generators sharing one frozen clock', () => {
    const clock = new FakeClock();
    const a = timeOrderedIds(clock);
    const b = timeOrderedIds(clock);
    const all = Array.from({ length: 2000 }, (_, i) => (i % 2 ? a : b).newId('evt'));
    expect(new Set(all).size).toBe(all.length);
  });
});
