import { InvalidRunOptionsError } from '../errors';

/** Priorities are small integers: claims order by them, and a bounded range keeps them comparable. */
export const MAX_RUN_PRIORITY = 1_000_000;
export const MAX_CONCURRENCY_KEY_LENGTH = 256;

/** How a submitted run is queued (recorded in `run.started`, kept in the runs projection). */
export interface SchedulingOptions {
  /** Claim order among runnable runs: higher first (default 0), an integer within ±1,000,000. */
  priority?: number;
  /**
   * Runs sharing a key (a customer, a tenant, a repository) are limited together: a worker's
   * `concurrencyKeyLimit` caps how many of them are driven at once across every worker.
   */
  concurrencyKey?: string;
}

/** Throws InvalidRunOptionsError naming the option and the fix; returns the fields to record. */
export function checkedScheduling(opts: SchedulingOptions): { priority?: number; concurrencyKey?: string } {
  const out: { priority?: number; concurrencyKey?: string } = {};
  const { priority, concurrencyKey } = opts;
  if (priority !== undefined) {
    if (!Number.isSafeInteger(priority) || Math.abs(priority) > MAX_RUN_PRIORITY)
      throw new InvalidRunOptionsError(
        'priority',
        `must be an integer from -${MAX_RUN_PRIORITY} to ${MAX_RUN_PRIORITY} (got ${String(priority)})`,
      );
    if (priority !== 0) out.priority = priority;
  }
  if (concurrencyKey !== undefined) {
    if (typeof concurrencyKey !== 'string' || concurrencyKey.length === 0)
      throw new InvalidRunOptionsError('concurrencyKey', 'must be a non-empty string (omit it for no limit)');
    if (concurrencyKey.length > MAX_CONCURRENCY_KEY_LENGTH)
      throw new InvalidRunOptionsError(
        'concurrencyKey',
        `is ${concurrencyKey.length} characters, over the ${MAX_CONCURRENCY_KEY_LENGTH}-character limit; use an id, not a description`,
      );
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(concurrencyKey))
      throw new InvalidRunOptionsError('concurrencyKey', 'contains control characters');
    out.concurrencyKey = concurrencyKey;
  }
  return out;
}
