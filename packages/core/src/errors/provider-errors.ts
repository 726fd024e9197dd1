import type { ErrorCodeOf } from './error-codes';
import { KestrionError } from './kestrion-error';
import { scrubError, scrubSecrets } from '../util/secret-scrub';
import type { QuotaDenialReason } from '../quota/quota-store';

/** HTTP statuses worth another attempt: timeouts, conflicts, rate limits and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

export interface ProviderErrorOptions {
  cause?: unknown;
  /** The HTTP status the provider answered with, when it answered. */
  status?: number;
  /** How long the provider asked us to wait (`Retry-After`), in milliseconds. */
  retryAfterMs?: number;
  /** Overrides the status-derived default (no status: retryable). */
  retryable?: boolean;
  /** Secrets the adapter holds (its API key, a password): removed from the message and the cause. */
  secrets?: readonly (string | undefined)[];
}

/**
 * A model provider failed. `status` is the HTTP status when the provider answered (400/401/403
 * are never retryable: the request or the key must change), `retryAfterMs` the wait it asked
 * for. Adapters translate their SDK's errors into this tree; no SDK error crosses the port.
 * The message is scrubbed of credentials (URL passwords, API keys, `Bearer` tokens, and the
 * adapter's own `secrets`), and so is the `cause` chain, in place: a 401 that echoes the key
 * leaks it neither here nor into an event.
 */
export class ProviderError extends KestrionError {
  readonly provider: string;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(
    provider: string,
    message: string,
    options: ProviderErrorOptions = {},
    code: ErrorCodeOf<'provider'> | 'cancelled' = 'provider',
  ) {
    const { status, retryAfterMs, cause, secrets = [] } = options;
    super(code, scrubSecrets(`${provider}: ${message}`, secrets), {
      cause: scrubError(cause, secrets),
      retryable: options.retryable ?? (status === undefined || isRetryableStatus(status)),
    });
    this.provider = provider;
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

/** An attempt ran past its time limit (the adapter's `timeoutMs` or the caller's timeout signal). */
export class ProviderTimeoutError extends ProviderError {
  constructor(
    provider: string,
    timeoutMs: number | undefined,
    options: Pick<ProviderErrorOptions, 'cause' | 'secrets'> = {},
  ) {
    const limit = timeoutMs === undefined ? 'the caller' : `${timeoutMs} ms`;
    super(
      provider,
      `no complete response within the time limit (${limit})`,
      { ...options, retryable: true },
      'provider_timeout',
    );
  }
}

/** The caller aborted the call. Not retryable: the caller no longer wants the answer. */
export class ProviderCancelledError extends ProviderError {
  constructor(provider: string, options: Pick<ProviderErrorOptions, 'cause' | 'secrets'> = {}) {
    super(provider, 'the call was cancelled', { ...options, retryable: false }, 'cancelled');
  }
}

/**
 * The response stopped before its end (a stream cut mid-way, a truncated body, no terminating
 * event). What arrived is discarded, never returned as a complete response; a retry is safe.
 */
export class IncompleteResponseError extends ProviderError {
  constructor(
    provider: string,
    detail: string,
    options: Pick<ProviderErrorOptions, 'cause' | 'secrets'> = {},
  ) {
    super(provider, `incomplete response: ${detail}`, { ...options, retryable: true }, 'provider_incomplete');
  }
}

/** The provider could not be reached (connection refused or reset, DNS). Retryable. */
export class ProviderConnectionError extends ProviderError {
  constructor(
    provider: string,
    message: string,
    options: Pick<ProviderErrorOptions, 'cause' | 'secrets'> = {},
  ) {
    super(provider, message, { ...options, retryable: true }, 'provider_connection');
  }
}

/**
 * The provider's SDK refused the request before sending it (invalid options, a client-side
 * check). Not retryable: the request must change.
 */
export class ProviderClientError extends ProviderError {
  constructor(
    provider: string,
    message: string,
    options: Pick<ProviderErrorOptions, 'cause' | 'secrets'> = {},
  ) {
    super(provider, message, { ...options, retryable: false }, 'provider_client');
  }
}

/**
 * A shared provider quota (`withQuota`, a `QuotaStore`) refused the call before it was sent:
 * its bucket (`${provider}:${model}`) has no room for it until `retryAtMs` (epoch ms), because
 * of `reason` (`requests`, `tokens`, `concurrency`, or `paused` after the provider's 429).
 * Retryable, and nothing was sent: a worker parks the run until `retryAtMs` instead of waiting
 * inside the call. Not a `ProviderError`: the provider was never asked.
 */
export class QuotaExhaustedError extends KestrionError {
  constructor(
    /** `${provider}:${model}`. */
    readonly bucket: string,
    /** The limit that holds longest. */
    readonly reason: QuotaDenialReason,
    /** Epoch ms: the earliest time the bucket can admit the call (see `QuotaDenial.retryAtMs`). */
    readonly retryAtMs: number,
  ) {
    super(
      'quota_exhausted',
      `quota ${bucket}: no room (${reason}) until ${new Date(retryAtMs).toISOString()}`,
    );
  }
}
