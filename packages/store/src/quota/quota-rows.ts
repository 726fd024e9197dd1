import {
  QUOTA_MARGIN_MS,
  QUOTA_WINDOW_MS,
  type QuotaEntry,
  type QuotaTotals,
} from '@kestrion/core/store-kit';

// What both dialects' quota stores share: the row shapes and their mapping. Numbers may
// arrive as strings (PostgreSQL's bigint and sums) and are converted here.

/** How long after it settles (or is presumed abandoned) a reservation counts, in SQL. */
export const COUNTED_FOR_MS = QUOTA_WINDOW_MS + QUOTA_MARGIN_MS;

export interface EntryRow {
  tokens: number | string;
  settled_at_ms: number | string | null;
  expires_at_ms: number | string;
}

export interface TotalsRow {
  requests: number | string | null;
  tokens: number | string | null;
  in_flight: number | string | null;
}

export function toQuotaEntry(row: EntryRow): QuotaEntry {
  return {
    tokens: Number(row.tokens),
    settledAtMs: row.settled_at_ms === null ? null : Number(row.settled_at_ms),
    expiresAtMs: Number(row.expires_at_ms),
  };
}

export function toQuotaTotals(row: TotalsRow | undefined): QuotaTotals {
  return {
    requests: Number(row?.requests ?? 0),
    tokens: Number(row?.tokens ?? 0),
    inFlight: Number(row?.in_flight ?? 0),
  };
}

/** The pause in force at `now`, from the bucket row's `paused_until_ms`. */
export function pauseAt(pausedUntil: number | string | null | undefined, now: number): number | null {
  if (pausedUntil === null || pausedUntil === undefined) return null;
  const until = Number(pausedUntil);
  return now < until ? until : null;
}
