import { ProviderClientError, ProviderConnectionError, ProviderError } from '../errors/provider-errors';
import type { ModelUsage } from '../providers/provider';

/**
 * What a failed attempt means for the quota:
 * - `rate_limited`: the vendor answered 429; it did not process the request, and the bucket
 *   pauses for its `Retry-After`;
 * - `not_sent`: the request never reached the vendor (connection refused, DNS, refused by the
 *   SDK before sending): the reservation is returned;
 * - `maybe_processed`: anything else (a timeout, a cut stream, a 5xx, another 4xx, a cancel):
 *   the vendor may have counted it, so it is settled at its estimate.
 */
export type AttemptOutcome = 'rate_limited' | 'not_sent' | 'maybe_processed';

/** Socket errors that mean nothing was sent: the connection or the name lookup failed. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function attemptOutcome(error: unknown): AttemptOutcome {
  if (error instanceof ProviderClientError) return 'not_sent';
  if (error instanceof ProviderConnectionError && hasCauseCode(error, NOT_SENT_CODES)) return 'not_sent';
  if (error instanceof ProviderError && error.status === 429) return 'rate_limited';
  return 'maybe_processed';
}

/** Whether `error` or one of its causes carries one of `codes` (Node's `code` on socket errors). */
function hasCauseCode(error: unknown, codes: ReadonlySet<string>): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== null && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && codes.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Every token a call was billed for: input, output and cache reads and writes. */
export function usedTokens(usage: ModelUsage): number {
  return (
    usage.inputTokens + usage.outputTokens + (usage.cacheReadTokens ?? 0) + (usage.cacheWriteTokens ?? 0)
  );
}
