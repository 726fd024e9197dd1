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
export function retryWhileBusy<T>(attempt: () => T | Promise<T>, budgetMs: number): Promise<T> {
  return retryUntil(attempt, new BusyWait(budgetMs));
}

/**
 * `retryWhileBusy` with the first attempt made now: a result that is not a promise is returned
 * as it is, so a read that finds no lock (nearly every read) makes no promise and waits for no
 * turn of the event loop. Busy on the first attempt, it goes on as `retryWhileBusy` does.
 */
export function retryWhileBusyFromNow<T>(attempt: () => T | Promise<T>, budgetMs: number): T | Promise<T> {
  let first: T | Promise<T>;
  try {
    first = attempt();
  } catch (error) {
    if (!isBusyError(error)) throw error;
    return pauseThenRetry(attempt, new BusyWait(budgetMs), error);
  }
  if (!(first instanceof Promise)) return first;
  const wait = new BusyWait(budgetMs);
  return first.catch((error: unknown) =>
    isBusyError(error) ? pauseThenRetry(attempt, wait, error) : Promise.reject(error),
  );
}

async function retryUntil<T>(attempt: () => T | Promise<T>, wait: BusyWait): Promise<T> {
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!isBusyError(error) || !wait.canRetry) throw error;
    }
    await wait.pause();
  }
}

async function pauseThenRetry<T>(attempt: () => T | Promise<T>, wait: BusyWait, busy: unknown): Promise<T> {
  if (!wait.canRetry) throw busy;
  await wait.pause();
  return retryUntil(attempt, wait);
}
