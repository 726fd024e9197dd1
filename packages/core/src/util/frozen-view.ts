import type { Json, JsonObject } from './json';

/** Freezes a JSON value in place, all the way down (already-frozen parts are skipped). */
export function deepFreeze<T extends Json>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  for (const v of Object.values(value)) deepFreeze(v as Json);
  return Object.freeze(value);
}

/**
 * What node code sees of the run state: frozen, so a node cannot change memory behind the
 * log's back, yet plain (it can be spread, serialized and structuredClone'd). Values are
 * frozen in place once; the top level and the arrays the fold still grows are shallow
 * copies, so the cost per node is the number of keys and list items, never a deep clone.
 */
export function frozenView(data: JsonObject): Readonly<JsonObject> {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(data))
    out[k] = Array.isArray(v) && !Object.isFrozen(v) ? (frozenList(v) as Json[]) : deepFreeze(v);
  return Object.freeze(out);
}

export function frozenList(list: readonly Json[]): readonly Json[] {
  return Object.freeze(list.map((item) => deepFreeze(item)));
}
