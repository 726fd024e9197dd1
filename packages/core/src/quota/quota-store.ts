/**
 * Limits of one bucket (one provider and model). Each is optional; a bucket with none admits
 * everything. Every number must be a positive integer.
 */
export interface QuotaLimits {
  /** Requests counted in any {@link QUOTA_WINDOW_MS} window. */
  requestsPerMinute?: number;
  /** Tokens (input, output and cache) counted in any {@link QUOTA_WINDOW_MS} window. */
  tokensPerMinute?: number;
  /** Reservations in flight (reserved, neither settled nor released) at once. */
  concurrentRequests?: number;
}

/** What {@link QuotaStore.reserve} is asked to admit. */
export interface QuotaRequest {
  /** The reservation's id, unique in its bucket (settle and release name it). */
  id: string;
  /** The tokens the call may use at most (the estimate), held while it is in flight. */
  tokens: number;
  /** Epoch ms from the caller's Clock. */
  now: number;
  /**
   * How long the reservation may stay in flight before it is presumed abandoned (its process
   * died): from `now + holdMs` on it counts as settled then. Default {@link QUOTA_DEFAULT_HOLD_MS}.
   */
  holdMs?: number;
}

/** The request was admitted and is now counted, in flight. */
export interface QuotaGrant {
  granted: true;
  /** The reservation's id, as requested. */
  id: string;
}

/** Why a reservation was refused. */
export type QuotaDenialReason = 'requests' | 'tokens' | 'concurrency' | 'paused';

/** The request was refused; nothing was recorded. */
export interface QuotaDenial {
  granted: false;
  /** The limit that holds longest (the one `retryAtMs` waits for). */
  reason: QuotaDenialReason;
  /**
   * The earliest time the bucket can admit this request if nothing else is reserved: when
   * enough counted reservations age out, or the pause ends. A reservation in flight is
   * assumed to settle now (the earliest it can). For `concurrency` no time is known: it is
   * `now + QUOTA_CONCURRENCY_RETRY_MS`.
   */
  retryAtMs: number;
}

/** What a bucket counts at a moment, for metrics. */
export interface QuotaUsage {
  /** Reservations counted in the window (in flight or settled less than a window ago). */
  requests: number;
  /** Their tokens: estimates of those in flight, actual usage of settled ones. */
  tokens: number;
  /** Reservations in flight. */
  inFlight: number;
  /** When the bucket's pause ends; null when it is not paused. */
  pausedUntilMs: number | null;
}

/** The window every limit is counted over. */
export const QUOTA_WINDOW_MS = 60_000;

/**
 * Added to the window: covers clock differences between processes (and between them and the
 * provider), so a request one process sees as out of the window is out of it for the server.
 */
export const QUOTA_MARGIN_MS = 1_000;

/** How long (15 min) a reservation stays in flight, unless settled or released, before it is presumed abandoned. */
export const QUOTA_DEFAULT_HOLD_MS = 900_000;

/** How long a denial for `concurrency` asks the caller to wait before it tries again. */
export const QUOTA_CONCURRENCY_RETRY_MS = 1_000;

/**
 * The quota port: shared request, token and concurrency limits per bucket
 * (`${provider.name}:${model}`), counted across every process that uses the same store.
 *
 * The window rule: a reservation counts while it is in flight and until
 * `settledAt + QUOTA_WINDOW_MS + QUOTA_MARGIN_MS`, measured from when it settled, not from when
 * it was reserved. The provider sees the request at some moment between reserve and settle,
 * so two requests the provider sees less than a window apart are always counted together:
 * "never more than the limit in any window" holds as the provider counts. Tokens count the
 * estimate while in flight and the actual usage once settled.
 *
 * Contract (proven by `describeQuotaContract` in `@kestrion/testing`):
 * - `reserve` is atomic: across connections and processes, the check and the insert are one
 *   step, so concurrent reservers never admit more than a limit. A denial records nothing.
 *   Reserving an id the bucket already holds grants it again without counting it twice.
 *   Throws `ConfigurationError` for invalid limits, or when `tokens` alone is over
 *   `tokensPerMinute` (it could never be admitted).
 * - `settle` records the actual tokens and the settle time; idempotent (the latest settle
 *   wins); an id the bucket no longer holds (aged out, released) is recorded as settled.
 * - `release` removes a reservation still in flight (the provider never processed it); a
 *   settled or unknown id is left as it is.
 * - `pause` refuses every reservation of the bucket until `untilMs` (an earlier pause never
 *   shortens a later one).
 * - Entries that no longer count are deleted on the way (by `reserve`).
 */
export interface QuotaStore {
  /** Admits the request into the bucket (counted, in flight), or refuses it and records nothing. */
  reserve(bucket: string, limits: QuotaLimits, request: QuotaRequest): Promise<QuotaGrant | QuotaDenial>;
  /** The call ended: the reservation now holds `tokens` (the actual usage) and counts from `now`. */
  settle(bucket: string, id: string, outcome: { tokens: number; now: number }): Promise<void>;
  /** The call never reached the vendor: the reservation stops counting. */
  release(bucket: string, id: string, now: number): Promise<void>;
  /** Refuses every reservation of the bucket until `untilMs` (the vendor answered 429). */
  pause(bucket: string, untilMs: number): Promise<void>;
  /** What the bucket counts at `now`. */
  usage(bucket: string, now: number): Promise<QuotaUsage>;
}
