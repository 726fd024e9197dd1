/**
 * Where time comes from. The engine and the fold never read the system clock directly:
 * every timestamp they use is taken from a Clock and recorded in an event.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

// The one place core reads the system clock: the default Clock that everything else takes.
// eslint-disable-next-line no-restricted-syntax
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told to: approvals "hours later" in a test take no time. */
export class FakeClock implements Clock {
  constructor(private ms = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
}

let lastMs = Number.NaN;
let lastIso = '';

/** The clock's time as ISO-8601 (formatted once per millisecond: many events share one). */
export function isoAt(clock: Clock): string {
  const ms = clock.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}
