import { InvalidRunMetadataError } from '../errors';

/**
 * Labels a run is started with (`{ tenant: 'acme', user: 'u1' }`): recorded in `run.started`,
 * kept in the runs projection and filterable in `listRuns`. Strings only, so every store can
 * index and compare them the same way (SQLite json_each, PostgreSQL jsonb containment).
 */
export type RunMetadata = Record<string, string>;

/** Entries one run's metadata may hold. */
export const MAX_RUN_METADATA_ENTRIES = 32;
/** Characters (UTF-16 code units) in one metadata key. */
export const MAX_RUN_METADATA_KEY_LENGTH = 64;
/** Characters (UTF-16 code units) in one metadata value. */
export const MAX_RUN_METADATA_VALUE_LENGTH = 512;

// Control characters and lone surrogates: PostgreSQL's jsonb refuses \u0000 and unpaired
// surrogates, and neither belongs in a label a person filters by.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const KEY_LIMIT = `keys are 1 to ${MAX_RUN_METADATA_KEY_LENGTH} characters`;
const VALUE_LIMIT = `values are at most ${MAX_RUN_METADATA_VALUE_LENGTH} characters`;

/** `a number`, `an array`, `null`...: what a value is, for a message. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  const kind = Array.isArray(value) ? 'array' : typeof value;
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

function textProblem(text: string, limit: string, min: number, max: number): string | undefined {
  if (text.length < min || text.length > max) return `is ${text.length} characters; ${limit}`;
  if (CONTROL.test(text)) return 'holds a control character; use printable text';
  if (LONE_SURROGATE.test(text)) return 'holds a lone UTF-16 surrogate; use well-formed text';
  return undefined;
}

/**
 * What is wrong with `metadata` as run metadata, or undefined when it is fine: a plain object
 * of at most MAX_RUN_METADATA_ENTRIES string keys (1..MAX_RUN_METADATA_KEY_LENGTH characters,
 * not `__proto__`) to string values (at most MAX_RUN_METADATA_VALUE_LENGTH characters), with
 * no control characters or lone surrogates. The answer names the entry and the fix.
 */
export function runMetadataProblem(metadata: unknown): string | undefined {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata))
    return `must be an object of string keys to string values, not ${kindOf(metadata)}`;
  const proto = Object.getPrototypeOf(metadata) as unknown;
  if (proto !== Object.prototype && proto !== null)
    return 'must be a plain object (a class instance or a Map is not stored as it is); pass { key: "value", ... }';
  const keys = Object.keys(metadata);
  if (keys.length > MAX_RUN_METADATA_ENTRIES)
    return `has ${keys.length} entries, over the limit of ${MAX_RUN_METADATA_ENTRIES}; keep the labels runs are listed by and record the rest in the input`;
  for (const key of keys) {
    const value: unknown = (metadata as Record<string, unknown>)[key];
    const where = `key ${JSON.stringify(key)}`;
    if (key === '__proto__') return `${where} cannot be used; choose another key`;
    const keyProblem = textProblem(key, KEY_LIMIT, 1, MAX_RUN_METADATA_KEY_LENGTH);
    if (keyProblem) return `${where} ${keyProblem}`;
    if (typeof value !== 'string')
      return `${where} has ${kindOf(value)} value; values must be strings (String(x) for a number or a boolean)`;
    const valueProblem = textProblem(value, VALUE_LIMIT, 0, MAX_RUN_METADATA_VALUE_LENGTH);
    if (valueProblem) return `${where}: its value ${valueProblem}`;
  }
  return undefined;
}

/** Throws `InvalidRunMetadataError` (naming the entry and the fix) unless `metadata` is valid. */
export function assertValidRunMetadata(runId: string, metadata: unknown): asserts metadata is RunMetadata {
  const problem = runMetadataProblem(metadata);
  if (problem !== undefined) throw new InvalidRunMetadataError(runId, problem);
}

/** True when the run's metadata holds every entry of `filter` with exactly that value. */
export function matchesRunMetadata(metadata: RunMetadata, filter: RunMetadata): boolean {
  for (const key of Object.keys(filter))
    if (!Object.hasOwn(metadata, key) || metadata[key] !== filter[key]) return false;
  return true;
}
