import { performance } from 'node:perf_hooks';

/** Count, total and percentiles of one operation's durations (ms), as a worker measured them. */
export interface CallTiming {
  op: string;
  count: number;
  totalMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const SAMPLE_CAP = 50_000;

/** Durations of calls by name; a uniform sample of at most 50,000 per name for percentiles. */
export class CallTimings {
  private readonly byOp = new Map<string, { count: number; total: number; max: number; sample: number[] }>();

  add(op: string, ms: number): void {
    let t = this.byOp.get(op);
    if (!t) this.byOp.set(op, (t = { count: 0, total: 0, max: 0, sample: [] }));
    t.count += 1;
    t.total += ms;
    t.max = Math.max(t.max, ms);
    if (t.sample.length < SAMPLE_CAP) t.sample.push(ms);
    else {
      const j = Math.floor(Math.random() * t.count);
      if (j < SAMPLE_CAP) t.sample[j] = ms;
    }
  }

  summary(): CallTiming[] {
    return [...this.byOp].map(([op, t]) => {
      const s = [...t.sample].sort((a, b) => a - b);
      const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? 0;
      return { op, count: t.count, totalMs: t.total, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: t.max };
    });
  }
}

/**
 * `target` with every method that returns a promise timed into `timings` as `<prefix>.<method>`
 * (from the call to its settling, event-loop waits included: what the caller experiences).
 */
export function timedCalls<T extends object>(target: T, prefix: string, timings: CallTimings): T {
  return new Proxy(target, {
    get(t, prop, receiver) {
      const value: unknown = Reflect.get(t, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        const t0 = performance.now();
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(t, args);
        if (!(result instanceof Promise)) return result;
        const done = (): void => timings.add(`${prefix}.${String(prop)}`, performance.now() - t0);
        return result.then(
          (v: unknown) => (done(), v),
          (e: unknown) => {
            done();
            throw e;
          },
        );
      };
    },
  });
}
