import type { Store } from '@kestrion/core';

/** The Store methods that write (each one a transaction, so one fsync under SQLite FULL). */
const WRITES = new Set(['append', 'saveSnapshot', 'acquireLease', 'renewLease', 'releaseLease', 'claimNext']);

/** A Store that counts its write calls by method, for the report; used on a run outside the timings. */
export function countingStore(inner: Store): { store: Store; writes: Map<string, number> } {
  const writes = new Map<string, number>();
  const store = new Proxy(inner, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        if (typeof key === 'string' && WRITES.has(key)) writes.set(key, (writes.get(key) ?? 0) + 1);
        return fn.apply(target, args);
      };
    },
  });
  return { store, writes };
}
