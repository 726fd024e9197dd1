import fc from 'fast-check';

/**
 * A fuzzed tool-call argument text and what it is: `garbage` is not JSON (random text, or a
 * valid object cut short), `not-object` is JSON but not an object, `hostile` carries a
 * `__proto__` key, `constructor` tries the other pollution path, `valid` is a plain object.
 */
export interface FuzzedArguments {
  kind: 'garbage' | 'not-object' | 'hostile' | 'constructor' | 'valid';
  raw: string;
}

const objectText = fc
  .dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }))
  .map((o) => JSON.stringify(o));

const HOSTILE = [
  '{"__proto__":{"polluted":1}}',
  '{"a":1,"__proto__":{"polluted":"yes"}}',
  '{"nested":{"__proto__":{"polluted":1}}}',
  '{"list":[{"x":{"__proto__":{"polluted":true}}}]}',
];

const CONSTRUCTOR = [
  '{"constructor":{"prototype":{"polluted":1}}}',
  '{"a":{"constructor":{"prototype":{"polluted":1}}}}',
];

const arbitrary: fc.Arbitrary<FuzzedArguments> = fc.oneof(
  objectText
    .filter((t) => t.length > 2)
    .chain((t) => fc.integer({ min: 1, max: t.length - 1 }).map((cut) => t.slice(0, cut)))
    .map((raw) => ({ kind: 'garbage' as const, raw })),
  fc
    .string({ minLength: 1, maxLength: 40, unit: 'grapheme' })
    .filter((raw) => !parses(raw))
    .map((raw) => ({ kind: 'garbage' as const, raw })),
  fc
    .oneof(
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.string({ maxLength: 10 }),
      fc.array(fc.integer(), { maxLength: 3 }),
    )
    .map((v) => ({ kind: 'not-object' as const, raw: JSON.stringify(v) })),
  fc.constantFrom(...HOSTILE).map((raw) => ({ kind: 'hostile' as const, raw })),
  fc.constantFrom(...CONSTRUCTOR).map((raw) => ({ kind: 'constructor' as const, raw })),
  objectText.map((raw) => ({ kind: 'valid' as const, raw })),
);

/** `count` payloads, the same on every run (fixed seed). */
export function fuzzedToolArguments(count: number, seed = 19): FuzzedArguments[] {
  return fc.sample(arbitrary, { numRuns: count, seed });
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
