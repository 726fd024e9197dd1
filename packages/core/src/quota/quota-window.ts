import { ConfigurationError, UsageError } from '../errors/configuration-errors';
import {
  QUOTA_CONCURRENCY_RETRY_MS,
  QUOTA_MARGIN_MS,
  QUOTA_WINDOW_MS,
  type QuotaDenial,
  type QuotaDenialReason,
  type QuotaLimits,
} from './quota-store';

// The window rule of the QuotaStore port as pure functions: every implementation stores
// entries its own way and asks these what counts, whether to admit, and until when to wait.

/** One reservation of a bucket as an implementation stores it. */
export interface QuotaEntry {
  /** The estimate while in flight, the actual usage once settled. */
  tokens: number;
  /** When it was settled; null while it is in flight. */
  settledAtMs: number | null;
  /** When a reservation still in flight is presumed abandoned (it then counts as settled then). */
  expiresAtMs: number;
}

/** What a bucket counts at one moment: the inputs of {@link quotaRefusals}. */
export interface QuotaTotals {
  /** Entries that count. */
  requests: number;
  /** Their tokens. */
  tokens: number;
  /** Those of them in flight. */
  inFlight: number;
}

/** The last moment (exclusive) an entry counts: a window (plus margin) after it settled. */
export function countedUntil(entry: QuotaEntry): number {
  return (entry.settledAtMs ?? entry.expiresAtMs) + QUOTA_WINDOW_MS + QUOTA_MARGIN_MS;
}

/** Whether `entry` counts against the window at `now` (once false, it can be deleted). */
export function isCounted(entry: QuotaEntry, now: number): boolean {
  return now < countedUntil(entry);
}

/** Whether `entry` is in flight at `now`: unsettled and not yet presumed abandoned. */
export function isInFlight(entry: QuotaEntry, now: number): boolean {
  return entry.settledAtMs === null && now < entry.expiresAtMs;
}

/** The totals of the entries that count at `now`. */
export function quotaTotals(entries: Iterable<QuotaEntry>, now: number): QuotaTotals {
  const totals = { requests: 0, tokens: 0, inFlight: 0 };
  for (const e of entries) {
    if (!isCounted(e, now)) continue;
    totals.requests += 1;
    totals.tokens += e.tokens;
    if (isInFlight(e, now)) totals.inFlight += 1;
  }
  return totals;
}

/**
 * Refuses limits a bucket cannot work with, and a request that no window could ever admit;
 * the message says what to change.
 */
export function assertReservable(bucket: string, limits: QuotaLimits, tokens: number): void {
  for (const key of ['requestsPerMinute', 'tokensPerMinute', 'concurrentRequests'] as const) {
    const value = limits[key];
    if (value !== undefined && !(Number.isSafeInteger(value) && value > 0))
      throw new ConfigurationError(
        `quota ${bucket}: ${key} must be a positive integer, got ${String(value)}`,
      );
  }
  if (!(Number.isSafeInteger(tokens) && tokens >= 0))
    throw new ConfigurationError(
      `quota ${bucket}: a reservation's tokens must be a non-negative integer, got ${tokens}`,
    );
  if (limits.tokensPerMinute !== undefined && tokens > limits.tokensPerMinute)
    throw new ConfigurationError(
      `quota ${bucket}: one request may use ${tokens} tokens, more than tokensPerMinute ` +
        `(${limits.tokensPerMinute}); lower maxTokens or raise the limit`,
    );
}

/** The limits that refuse a request of `tokens` at `now`, in a fixed order; empty when admitted. */
export function quotaRefusals(
  limits: QuotaLimits,
  totals: QuotaTotals,
  pausedUntilMs: number | null,
  request: { tokens: number; now: number },
): QuotaDenialReason[] {
  const refusals: QuotaDenialReason[] = [];
  if (pausedUntilMs !== null && request.now < pausedUntilMs) refusals.push('paused');
  const { concurrentRequests: c, requestsPerMinute: r, tokensPerMinute: t } = limits;
  if (c !== undefined && totals.inFlight + 1 > c) refusals.push('concurrency');
  if (r !== undefined && totals.requests + 1 > r) refusals.push('requests');
  if (t !== undefined && totals.tokens + request.tokens > t) refusals.push('tokens');
  return refusals;
}

/**
 * The denial for `refusals` (non-empty): the earliest time each refusing limit can admit the
 * request, if nothing else is reserved meanwhile, and the latest of those. `entries` are the
 * bucket's entries (those that no longer count are ignored); one still in flight is assumed to
 * settle at `now`, the earliest it can.
 */
export function quotaDenial(
  limits: QuotaLimits,
  refusals: readonly QuotaDenialReason[],
  entries: readonly QuotaEntry[],
  pausedUntilMs: number | null,
  request: { tokens: number; now: number },
): QuotaDenial {
  const { now } = request;
  // When each counted entry stops counting at the earliest, oldest first.
  const ends = entries
    .filter((e) => isCounted(e, now))
    .map((e) => ({
      tokens: e.tokens,
      at: (e.settledAtMs ?? Math.min(now, e.expiresAtMs)) + QUOTA_WINDOW_MS + QUOTA_MARGIN_MS,
    }))
    .sort((a, b) => a.at - b.at);
  let denial: QuotaDenial | undefined;
  for (const reason of refusals) {
    const at = retryAtFor(reason, limits, ends, pausedUntilMs, request);
    if (denial === undefined || at > denial.retryAtMs) denial = { granted: false, reason, retryAtMs: at };
  }
  if (denial === undefined)
    throw new UsageError(
      'quotaDenial() was called with no refusals: call it only for a request the quota check refused (refusals.length > 0)',
    );
  return denial;
}

function retryAtFor(
  reason: QuotaDenialReason,
  limits: QuotaLimits,
  ends: ReadonlyArray<{ tokens: number; at: number }>,
  pausedUntilMs: number | null,
  { tokens, now }: { tokens: number; now: number },
): number {
  switch (reason) {
    case 'paused':
      return pausedUntilMs ?? now;
    case 'concurrency':
      return now + QUOTA_CONCURRENCY_RETRY_MS;
    case 'requests': {
      // This many must age out before one more fits.
      const surplus = ends.length + 1 - (limits.requestsPerMinute ?? Infinity);
      return ends[Math.max(0, surplus - 1)]?.at ?? now;
    }
    case 'tokens': {
      let over = ends.reduce((sum, e) => sum + e.tokens, 0) + tokens - (limits.tokensPerMinute ?? Infinity);
      for (const e of ends) {
        if (over <= 0) break;
        over -= e.tokens;
        if (over <= 0) return e.at;
      }
      return now;
    }
  }
}
