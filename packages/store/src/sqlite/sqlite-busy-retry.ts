/**
 * How long SQLite itself waits (synchronously, blocking the event loop) for another
 * connection's lock before it reports SQLITE_BUSY. Kept short: the store then waits for the
 * lock asynchronously (`retryWhileBusy`), so timers, I/O and other runs keep moving.
 */
export const DRIVER_BUSY_TIMEOUT_MS = 10;

/** Pauses between attempts while the lock is held: 1, 2, 4, ... ms, at most this. */
const MAX_PAUSE_MS = 25;

/** True for SQLITE_BUSY (and its extended codes), also when wrapped as a cause. */
export function isBusyError(error: unknown): boolean {
  const code =
    (error as { code?: unknown })?.code ??
    ((error as { cause?: { code?: unknown } })?.cause?.code as unknown);
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for the database's write lock without blocking: pauses grow up to MAX_PAUSE_MS. */
export class BusyWait {
  private readonly deadline: number;
  private nextPauseMs = 1;

  constructor(budgetMs: number) {
    this.deadline = Date.now() + budgetMs;
  }

  /** True while the budget allows another attempt after a pause. */
  get canRetry(): boolean {
    return Date.now() + this.nextPauseMs < this.deadline;
  }

  async pause(): Promise<void> {
    const ms = this.nextPauseMs;
    this.nextPauseMs = Math.min(ms * 2, MAX_PAUSE_MS);
    await pause(ms);
  }
}

/**
 * Runs `attempt` until it does not fail with SQLITE_BUSY or `budgetMs` (the store's busy
 * timeout) has passed, pausing asynchronously in between. `attempt` must leave nothing behind
 * when it fails busy (a statement or transaction that SQLite refused wrote nothing).
 */
export async function retryWhileBusy<T>(attempt: () => T | Promise<T>, budgetMs: number): Promise<T> {
  const wait = new BusyWait(budgetMs);
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!isBusyError(error) || !wait.canRetry) throw error;
    }
    await wait.pause();
  }
}
