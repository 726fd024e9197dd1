/** A JSON value: what event payloads and snapshots are made of (no classes, no undefined). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/**
 * Canonical JSON: object keys sorted, no whitespace. Two equal values always give the same
 * string, so a hash of it binds an approval to exact arguments.
 */
export function canonicalJson(value: Json): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as Json)}`).join(',')}}`;
}

/**
 * How deep event data may nest (objects and arrays; the payload itself is level 1). Deeper
 * payloads are refused at append: the stores' readers, the fold and `canonicalJson` recurse,
 * and nothing Kestrion records needs more.
 */
export const MAX_JSON_DEPTH = 64;

/** A step into a JSON value: an object key or an array index. */
export type JsonPathSegment = string | number;

/** Why a value cannot be stored as JSON without being changed. */
export interface JsonProblem {
  /** `not_json`: a value JSON cannot hold; `too_deep`: over the depth limit; `cycle`: refers back to itself. */
  kind: 'not_json' | 'too_deep' | 'cycle';
  /** Where, from the root. */
  path: JsonPathSegment[];
  /** For `cycle`: the path of the ancestor the value refers back to. */
  refersTo?: JsonPathSegment[];
  /** What was found there, e.g. `is a Date`. */
  problem: string;
  /** What to do about it. */
  hint: string;
}

/** Thrown inside the walk only; collects the path while the stack unwinds (no cost otherwise). */
class JsonFault {
  /** Innermost first while unwinding. */
  readonly path: JsonPathSegment[] = [];
  /** The containers from the innermost outwards (for telling a cycle from plain depth). */
  readonly chain: object[] = [];
  constructor(
    readonly kind: 'not_json' | 'too_deep',
    readonly problem: string,
    readonly hint: string,
  ) {}
}

function describeNonJson(v: unknown, hole: boolean): JsonFault {
  if (hole) return new JsonFault('not_json', 'is a hole in a sparse array', 'JSON would store null; fill it');
  switch (typeof v) {
    case 'undefined':
      return new JsonFault(
        'not_json',
        'is undefined',
        'JSON would drop the key (or store null in an array); omit the key or use null',
      );
    case 'number':
      return new JsonFault('not_json', `is ${String(v)}`, 'JSON would store null; record a finite number');
    case 'bigint':
      return new JsonFault('not_json', 'is a BigInt', 'JSON has no BigInt; record it as a string');
    case 'function':
      return new JsonFault('not_json', 'is a function', 'JSON would drop it; record data, not code');
    case 'symbol':
      return new JsonFault('not_json', 'is a symbol', 'JSON would drop it; record a string');
  }
  if (v instanceof Date)
    return new JsonFault(
      'not_json',
      'is a Date',
      'JSON would turn it into a string; record date.toISOString()',
    );
  if (v instanceof Map)
    return new JsonFault('not_json', 'is a Map', 'JSON would store {}; record Object.fromEntries(map)');
  if (v instanceof Set) return new JsonFault('not_json', 'is a Set', 'JSON would store {}; record [...set]');
  const name = (Object.getPrototypeOf(v) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return new JsonFault(
    'not_json',
    `is an instance of ${typeof name === 'string' && name ? name : 'a class'}`,
    'only plain objects and arrays are JSON; copy the fields you need into a plain object',
  );
}

const OBJECT_PROTOTYPE = Object.prototype;

// One walk, no allocation on the happy path: strings and booleans return at once, and the
// path is assembled only when something is wrong (each frame adds its key while unwinding).
function walk(v: unknown, depth: number, maxDepth: number): void {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (Number.isFinite(v)) return;
      throw describeNonJson(v, false);
    case 'object': {
      if (v === null) return;
      if (depth >= maxDepth) {
        const f = new JsonFault(
          'too_deep',
          `nests deeper than ${maxDepth} levels`,
          'flatten it, or record it as a string',
        );
        f.chain.push(v);
        throw f;
      }
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const x: unknown = v[i];
          if (typeof x === 'string') continue;
          if (x === undefined) throw atKey(describeNonJson(x, !(i in v)), i, v);
          try {
            walk(x, depth + 1, maxDepth);
          } catch (f) {
            throw f instanceof JsonFault ? atKey(f, i, v) : f;
          }
        }
        return;
      }
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== OBJECT_PROTOTYPE && proto !== null) throw describeNonJson(v, false);
      const keys = Object.keys(v);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as string;
        const x = (v as Record<string, unknown>)[k];
        if (typeof x === 'string') continue;
        try {
          walk(x, depth + 1, maxDepth);
        } catch (f) {
          throw f instanceof JsonFault ? atKey(f, k, v) : f;
        }
      }
      return;
    }
    default:
      throw describeNonJson(v, false);
  }
}

function atKey(f: JsonFault, key: JsonPathSegment, container: object): JsonFault {
  f.path.push(key);
  f.chain.push(container);
  return f;
}

/**
 * The first reason `value` would not survive `JSON.stringify` then `JSON.parse` unchanged
 * (undefined, NaN and ±Infinity, BigInt, functions, symbols, Dates, Maps, Sets, class
 * instances, sparse arrays, cycles), or nesting over `maxDepth`; undefined when it is plain
 * JSON. Symbol-keyed and non-enumerable properties are not looked at (JSON ignores them).
 */
export function findJsonProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): JsonProblem | undefined {
  try {
    walk(value, 0, maxDepth);
    return undefined;
  } catch (f) {
    if (!(f instanceof JsonFault)) throw f;
    const path = f.path.reverse();
    if (f.kind === 'too_deep') {
      // A cycle shows up as endless depth: find the first container met twice on the way down.
      const chain = f.chain.reverse();
      for (let j = 1; j < chain.length; j++) {
        const i = chain.indexOf(chain[j] as object);
        if (i < j)
          return {
            kind: 'cycle',
            path: path.slice(0, j),
            refersTo: path.slice(0, i),
            problem: 'refers back to a value that contains it (a cycle)',
            hint: 'JSON cannot hold a cycle; record an id instead of the reference',
          };
      }
    }
    return { kind: f.kind, path, problem: f.problem, hint: f.hint };
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `data.args.items[3].when`, `data["odd key"]`. */
export function formatJsonPath(root: string, path: readonly JsonPathSegment[]): string {
  let out = root;
  for (const s of path)
    out += typeof s === 'number' ? `[${s}]` : IDENTIFIER.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
  return out;
}
