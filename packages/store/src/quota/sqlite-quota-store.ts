import type {
  QuotaDenial,
  QuotaGrant,
  QuotaLimits,
  QuotaRequest,
  QuotaStore,
  QuotaUsage,
} from '@kestrion/core';
import {
  QUOTA_DEFAULT_HOLD_MS,
  assertReservable,
  quotaDenial,
  quotaRefusals,
} from '@kestrion/core/store-kit';
import { type Kysely, sql } from 'kysely';
import {
  COUNTED_FOR_MS,
  type EntryRow,
  pauseAt,
  type TotalsRow,
  toQuotaEntry,
  toQuotaTotals,
} from './quota-rows';

/** What the quota store needs of the SQLite dialect: its kysely, its lock waits, its errors. */
export interface SqliteQuotaHost {
  readonly db: Kysely<unknown>;
  retryingLocks<T>(write: () => Promise<T>): Promise<T>;
  translateError(error: unknown): unknown;
}

const TOTALS = sql`count(*) as requests, coalesce(sum(tokens), 0) as tokens,
  coalesce(sum(case when settled_at_ms is null and expires_at_ms > now_ms then 1 else 0 end), 0) as in_flight`;

/**
 * The QuotaStore on SQLite. A reservation is one `BEGIN IMMEDIATE` transaction: it holds the
 * database's write lock from its first read to its commit, so every process on the file
 * reserves one at a time (a locked database is waited for, asynchronously, as the store's own
 * writes wait). It deletes what no longer counts, sums the window and inserts. Settling,
 * releasing and pausing are single statements.
 */
export class SqliteQuotaStore implements QuotaStore {
  constructor(private readonly host: SqliteQuotaHost) {}

  async reserve(
    bucket: string,
    limits: QuotaLimits,
    request: QuotaRequest,
  ): Promise<QuotaGrant | QuotaDenial> {
    assertReservable(bucket, limits, request.tokens);
    const { id, tokens, now } = request;
    return this.withLocks(() =>
      this.host.db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          const result = await reserveIn(conn, bucket, limits, request);
          if (result.granted && result.inserted) {
            const expiresAtMs = now + (request.holdMs ?? QUOTA_DEFAULT_HOLD_MS);
            await sql`insert into kestrion_quota_reservations (bucket, id, tokens, expires_at_ms)
              values (${bucket}, ${id}, ${tokens}, ${expiresAtMs})`.execute(conn);
          }
          await sql`commit`.execute(conn);
          return result.granted ? { granted: true as const, id } : result.denial;
        } catch (error) {
          await sql`rollback`.execute(conn).catch(() => undefined);
          throw error;
        }
      }),
    );
  }

  settle(bucket: string, id: string, outcome: { tokens: number; now: number }): Promise<void> {
    const { tokens, now } = outcome;
    return this.withLocks(async () => {
      await sql`insert into kestrion_quota_reservations (bucket, id, tokens, expires_at_ms, settled_at_ms)
        values (${bucket}, ${id}, ${tokens}, ${now}, ${now})
        on conflict (bucket, id) do update set tokens = excluded.tokens,
          settled_at_ms = max(coalesce(settled_at_ms, excluded.settled_at_ms), excluded.settled_at_ms)`.execute(
        this.host.db,
      );
    });
  }

  release(bucket: string, id: string, _now: number): Promise<void> {
    return this.withLocks(async () => {
      await sql`delete from kestrion_quota_reservations
        where bucket = ${bucket} and id = ${id} and settled_at_ms is null`.execute(this.host.db);
    });
  }

  pause(bucket: string, untilMs: number): Promise<void> {
    return this.withLocks(async () => {
      await sql`insert into kestrion_quota_buckets (bucket, paused_until_ms) values (${bucket}, ${untilMs})
        on conflict (bucket) do update
        set paused_until_ms = max(coalesce(paused_until_ms, excluded.paused_until_ms), excluded.paused_until_ms)`.execute(
        this.host.db,
      );
    });
  }

  usage(bucket: string, now: number): Promise<QuotaUsage> {
    return this.withLocks(async () => {
      const { rows } = await sql<TotalsRow & { paused_until_ms: number | null }>`
        select ${TOTALS},
          (select paused_until_ms from kestrion_quota_buckets where bucket = ${bucket}) as paused_until_ms
        from kestrion_quota_reservations, (select ${now} as now_ms)
        where bucket = ${bucket} and coalesce(settled_at_ms, expires_at_ms) + ${COUNTED_FOR_MS} > now_ms`.execute(
        this.host.db,
      );
      return { ...toQuotaTotals(rows[0]), pausedUntilMs: pauseAt(rows[0]?.paused_until_ms, now) };
    });
  }

  /** Waits out another process's lock (nothing was written when SQLite refused), then translates. */
  private async withLocks<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await this.host.retryingLocks(work);
    } catch (error) {
      throw this.host.translateError(error);
    }
  }
}

type Reserved = { granted: true; inserted: boolean } | { granted: false; denial: QuotaDenial };

/** The decision, inside the transaction: what the window holds, and whether one more fits. */
async function reserveIn(
  conn: Kysely<unknown>,
  bucket: string,
  limits: QuotaLimits,
  request: QuotaRequest,
): Promise<Reserved> {
  const { id, now } = request;
  await sql`delete from kestrion_quota_reservations
    where bucket = ${bucket} and coalesce(settled_at_ms, expires_at_ms) + ${COUNTED_FOR_MS} <= ${now}`.execute(
    conn,
  );
  const held =
    await sql`select 1 from kestrion_quota_reservations where bucket = ${bucket} and id = ${id}`.execute(
      conn,
    );
  if (held.rows.length > 0) return { granted: true, inserted: false };
  const { rows } = await sql<TotalsRow>`select ${TOTALS}
    from kestrion_quota_reservations, (select ${now} as now_ms) where bucket = ${bucket}`.execute(conn);
  const pauseRow = await sql<{ paused_until_ms: number | null }>`
    select paused_until_ms from kestrion_quota_buckets where bucket = ${bucket}`.execute(conn);
  const paused = pauseAt(pauseRow.rows[0]?.paused_until_ms, now);
  const refusals = quotaRefusals(limits, toQuotaTotals(rows[0]), paused, request);
  if (refusals.length === 0) return { granted: true, inserted: true };
  const entries = await sql<EntryRow>`select tokens, settled_at_ms, expires_at_ms
    from kestrion_quota_reservations where bucket = ${bucket}`.execute(conn);
  return {
    granted: false,
    denial: quotaDenial(limits, refusals, entries.rows.map(toQuotaEntry), paused, request),
  };
}
