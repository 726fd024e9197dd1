import {
  CorruptLogError,
  EventRegistry,
  InMemoryStore,
  UnsupportedVersionError,
  patternRedactor,
} from '@kestrion/core';
import { EventDecoder, type RawEventRow } from '@kestrion/core/store-kit';

const row = (seq: number, v: number, data: unknown): RawEventRow => ({
  runId: 'r',
  seq,
  id: `e${seq}`,
  type: 'note.added',
  v,
  at: '2026-01-01T00:00:00.000Z',
  data: JSON.stringify(data),
  cost: null,
});

describe('event versions', () => {
  const registry = new EventRegistry({
    'note.added': {
      version: 3,
      upcasters: {
        1: (d) => ({ text: (d as { t: string }).t }),
        2: (d) => ({ ...(d as object), lang: 'en' }),
      },
    },
  });

  it('upcasts old payloads on read through every step to the current version', () => {
    const decoder = new EventDecoder('r', 1, registry);
    expect(decoder.decode(row(1, 1, { t: 'hi' }))).toMatchObject({ v: 3, data: { text: 'hi', lang: 'en' } });
    expect(decoder.decode(row(2, 3, { text: 'now', lang: 'fr' }))).toMatchObject({
      v: 3,
      data: { text: 'now', lang: 'fr' },
    });
  });

  it('refuses an event from the future, naming run, seq, type and versions', () => {
    const err = (() => {
      try {
        new EventDecoder('r', 1, registry).decode(row(1, 4, {}));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UnsupportedVersionError);
    expect((err as Error).message).toBe(
      'run "r" seq 1: event note.added v4 is newer than this Kestrion supports (v3); upgrade @kestrion/core before loading this run',
    );
  });

  it('detects a duplicated seq in what a store returns', () => {
    const decoder = new EventDecoder('r', 1, registry);
    decoder.decode(row(1, 3, {}));
    expect(() => decoder.decode(row(1, 3, {}))).toThrow(CorruptLogError);
  });

  it('keeps stored rows byte-identical while reads see the upcast payload', async () => {
    const store = new InMemoryStore({ registry });
    await store.append('r', 0, [
      { id: 'a', type: 'note.added', v: 1, at: '2026-01-01T00:00:00.000Z', data: { t: 'old' } },
    ]);
    const raw = (store as unknown as { rows: Map<string, RawEventRow[]> }).rows.get('r')?.[0];
    expect(raw).toMatchObject({ v: 1, data: '{"t":"old"}' });
    const read = [];
    for await (const e of store.readEvents('r')) read.push(e);
    expect(read[0]).toMatchObject({ v: 3, data: { text: 'old', lang: 'en' } });
  });
});

describe('patternRedactor', () => {
  it('scrubs every match in nested string values', () => {
    const redact = patternRedactor([/sk-[A-Za-z0-9]{8,}/]);
    const out = redact(
      {
        id: 'e',
        type: 't',
        at: 'x',
        data: { a: 'key sk-ABCDEFGH12 and sk-ZZZZZZZZZ', b: [{ c: 'sk-12345678' }] },
      },
      'r',
    );
    expect(out.data).toEqual({ a: 'key [REDACTED] and [REDACTED]', b: [{ c: '[REDACTED]' }] });
  });
});
