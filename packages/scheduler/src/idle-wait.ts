/**
 * How long an idle worker waits before it asks the store again: from `minMs`, doubling after
 * every empty claim up to `maxMs`, back to `minMs` as soon as a claim finds work. A wake-up
 * (a PostgreSQL notification that a run became runnable, a slot freed, shutdown) ends the wait
 * early, so polling is only the fallback that bounds how late work can be noticed.
 */
export class IdleWait {
  private delayMs: number;
  private wake: (() => void) | undefined;
  private woken = false;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
  ) {
    this.delayMs = minMs;
  }

  /** A claim found work: the next idle wait starts short again. */
  reset(): void {
    this.delayMs = this.minMs;
  }

  /** Ends the current wait now, or the next one at once if none is in progress. */
  notify(): void {
    if (this.wake) this.wake();
    else this.woken = true;
  }

  /** Waits the current delay (or less, when notified) and doubles it for the next time. */
  wait(): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    const delay = this.delayMs;
    this.delayMs = Math.min(this.maxMs, this.delayMs * 2);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, delay);
      this.wake = done;
    });
  }
}
