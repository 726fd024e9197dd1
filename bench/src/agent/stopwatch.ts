/** Accumulates the time spent inside the fake model and the tools, to subtract from a run's total. */
export class Stopwatch {
  private total = 0;

  /** Times a synchronous piece of work and adds it to the total. */
  time<T>(fn: () => T): T {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      this.total += performance.now() - t0;
    }
  }

  /** The time accumulated since the last call, and a reset. */
  take(): number {
    const t = this.total;
    this.total = 0;
    return t;
  }
}

/** Milliseconds spent inside the fake model and the tools of all bench agents in this process. */
export const inside = new Stopwatch();

/** The scripted tool call of turn `turn` (0-based): alternates the two tools. */
export function scriptedCall(turn: number): { name: 'lookup' | 'add'; args: Record<string, unknown> } {
  return turn % 2 === 0
    ? { name: 'lookup', args: { key: `k${turn}` } }
    : { name: 'add', args: { a: turn, b: 1 } };
}
