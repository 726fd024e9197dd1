import { defaultEventRegistry, EventRegistry, type StoredEvent } from '@kestrion/core';
import { EventDecoder, foldEvents, type RawEventRow } from '@kestrion/core/store-kit';

// Logs written before append refused these names (or by another writer) must still load.
const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype);

function event(seq: number, type: string, data: StoredEvent['data'] = { x: 1 }): StoredEvent {
  return { runId: 'r', seq, id: `e${seq}`, type, v: 1, at: '2026-01-01T00:00:00.000Z', data };
}

describe('extension event types named after Object.prototype members', () => {
  it('covers the Object.prototype members a hostile type would name', () => {
    expect(PROTOTYPE_NAMES).toEqual(
      expect.arrayContaining(['__proto__', 'valueOf', 'constructor', 'toString', 'hasOwnProperty']),
    );
  });

  it.each(PROTOTYPE_NAMES)('folds past an event of type %s as an unknown extension event', (type) => {
    const events = [
      event(1, 'run.started', { agent: 'a', input: 'hi' }),
      event(2, type),
      event(3, 'run.input', { message: 'm' }),
    ];
    const state = foldEvents(undefined, events);
    expect(state).toMatchObject({ seq: 3, status: 'pending', agent: 'a', inbox: ['m'] });
    // Nothing leaked onto the state or onto Object.prototype.
    expect(Object.getPrototypeOf(state)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it.each(PROTOTYPE_NAMES)(
    'decodes a stored row of type %s at version 1 (the registry keeps specs in a Map)',
    (type) => {
      const row: RawEventRow = {
        runId: 'r',
        seq: 1,
        id: 'e',
        type,
        v: 1,
        at: '2026-01-01T00:00:00.000Z',
        data: '{}',
        cost: null,
      };
      expect(new EventDecoder('r', 1, defaultEventRegistry()).decode(row)).toMatchObject({ type, v: 1 });
      expect(defaultEventRegistry().currentVersion(type)).toBe(1);
    },
  );

  it('never runs an upcaster its spec inherits', () => {
    const upcasters = Object.create({ 1: () => ({ inherited: true }) }) as Record<
      number,
      (d: unknown) => never
    >;
    const registry = new EventRegistry({ 'acme:note': { version: 2, upcasters } });
    expect(() => registry.upcast('r', 1, 'acme:note', 1, {})).toThrow(/newer than this Kestrion supports|v1/);
  });
});
