import { KestrionError } from '../errors/kestrion-error';
import { ProviderError } from './provider-errors';
import { systemRandom, timerSleep } from './retry-defaults';

/**
 * How a provider retries a failed call. One layer owns retries: the adapters run this policy
 * and switch their SDK's own retries off. Only errors marked `retryable` are retried (so
 * 400/401/403 never are); a `Retry-After` is honoured exactly, up to `maxRetryAfterMs`, past
 * which the error is thrown at once for the caller to reschedule; otherwise the wait is
 * exponential backoff with "equal jitter" (between half and all of `baseDelayMs * 2^(n-1)`,
 * capped at `maxDelayMs`).
 */
export interface RetryPolicy {
  /** Retries after the first attempt; 0 disables retrying. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  /** Waits `ms`; resolves early when `signal` aborts. Injected by tests. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** A number in [0, 1) for jitter. Injected by tests. */
  random: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 2,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
  sleep: timerSleep,
  random: systemRandom,
};

/** The default policy with `overrides` applied (undefined values are ignored). */
export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY };
  for (const [key, value] of Object.entries(overrides))
    if (value !== undefined) Object.assign(policy, { [key]: value });
  return policy;
}

/** How a provider's options name its retries: `maxRetries` wins over `retry.maxRetries`. */
export interface ProviderRetryOptions {
  maxRetries?: number;
  retry?: Partial<RetryPolicy>;
}

/** The policy a provider built from its options uses. */
export function providerRetryPolicy(options: ProviderRetryOptions): RetryPolicy {
  return retryPolicy({ ...options.retry, maxRetries: options.maxRetries ?? options.retry?.maxRetries });
}

/** Each attempt's time limit when a provider's options set none (the whole streamed answer included). */
export const DEFAULT_PROVIDER_TIMEOUT_MS = 600_000;

/**
 * The wait before retry number `retry` (1-based) after `error`, or undefined when the error
 * must be thrown: not retryable, retries used up, or a `Retry-After` beyond `maxRetryAfterMs`.
 */
export function retryDelayMs(error: unknown, retry: number, policy: RetryPolicy): number | undefined {
  if (!(error instanceof KestrionError) || !error.retryable || retry > policy.maxRetries) return undefined;
  const retryAfterMs = error instanceof ProviderError ? error.retryAfterMs : undefined;
  if (retryAfterMs !== undefined) return retryAfterMs <= policy.maxRetryAfterMs ? retryAfterMs : undefined;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return ceiling / 2 + (policy.random() * ceiling) / 2;
}
