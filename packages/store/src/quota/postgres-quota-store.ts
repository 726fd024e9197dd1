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
  quotaTotals,
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

interface ReserveRow extends TotalsRow {
  granted: boolean;
  paused_until_ms: string | null;
}

/**
 * The QuotaStore on PostgreSQL. A reservation is one call of `kestrion_quota_reserve`
 * (migration 0008), whose transaction locks its bucket's row (created on first use) while it
 * deletes what no longer counts, sums the window and inserts: reservations of one bucket queue
 * on the server for the function's run time only, while other buckets go on. Settling,
 * releasing and pausing are single statements that take no bucket lock: each can only make
 * the next reservation see more (a later settle time, a longer pause) or drop a reservation
 * the provider never processed.
 */
export class PostgresQuotaStore implements QuotaStore {
  private readonly buckets: ReturnType<typeof sql.raw>;
  private readonly reservations: ReturnType<typeof sql.raw>;
  private readonly reserveFunction: ReturnType<typeof sql.raw>;

  constructor(
    private readonly db: Kysely<unknown>,
    private readonly translate: (error: unknown) => unknown,
    schema: string | undefined,
  ) {
    const q = schema === undefined ? '' : `"${schema}".`;
    this.buckets = sql.raw(`${q}kestrion_quota_buckets`);
    this.reservations = sql.raw(`${q}kestrion_quota_reservations`);
    this.reserveFunction = sql.raw(`${q}kestrion_quota_reserve`);
  }

  async reserve(
    bucket: string,
    limits: QuotaLimits,
    request: QuotaRequest,
  ): Promise<QuotaGrant | QuotaDenial> {
    assertReservable(bucket, limits, request.tokens);
    const { id, tokens, now } = request;
    const expiresAtMs = now + (request.holdMs ?? QUOTA_DEFAULT_HOLD_MS);
    const { requestsPerMinute: rpm, tokensPerMinute: tpm, concurrentRequests: concurrent } = limits;
    try {
      // One call: the bucket's row is locked only while the function runs (migration 0008).
      const { rows } =
        await sql<ReserveRow>`select * from ${this.reserveFunction}(${bucket}, ${id}, ${tokens},
        ${now}, ${expiresAtMs}, ${rpm ?? null}, ${tpm ?? null}, ${concurrent ?? null}, ${COUNTED_FOR_MS})`.execute(
          this.db,
        );
      const row = rows[0];
      if (row?.granted) return { granted: true, id };
      // Refused: when it can be admitted, from the rows as they are now (no lock is needed for
      // advice; a retry is decided by the function again).
      const paused = pauseAt(row?.paused_until_ms ?? null, now);
      const { rows: current } = await sql<EntryRow>`
        select tokens, settled_at_ms, expires_at_ms from ${this.reservations} where bucket = ${bucket}`.execute(
        this.db,
      );
      const entries = current.map(toQuotaEntry);
      let refusals = quotaRefusals(limits, quotaTotals(entries, now), paused, request);
      // Something settled or was released since the function decided: its own sums say why.
      if (refusals.length === 0 && row) refusals = quotaRefusals(limits, toQuotaTotals(row), paused, request);
      if (refusals.length === 0) refusals = ['concurrency'];
      const denial = quotaDenial(limits, refusals, entries, paused, request);
      return { ...denial, retryAtMs: Math.max(denial.retryAtMs, now + 1) };
    } catch (error) {
      throw this.translate(error);
    }
  }

  async settle(bucket: string, id: string, outcome: { tokens: number; now: number }): Promise<void> {
    const R = this.reservations;
    const { tokens, now } = outcome;
    await this.run(sql`insert into ${R} as r (bucket, id, tokens, expires_at_ms, settled_at_ms)
      values (${bucket}, ${id}, ${tokens}, ${now}, ${now})
      on conflict (bucket, id) do update set tokens = excluded.tokens,
        settled_at_ms = greatest(coalesce(r.settled_at_ms, excluded.settled_at_ms), excluded.settled_at_ms)`);
  }

  async release(bucket: string, id: string, _now: number): Promise<void> {
    await this.run(
      sql`delete from ${this.reservations} where bucket = ${bucket} and id = ${id} and settled_at_ms is null`,
    );
  }

  async pause(bucket: string, untilMs: number): Promise<void> {
    await this
      .run(sql`insert into ${this.buckets} as b (bucket, paused_until_ms) values (${bucket}, ${untilMs})
      on conflict (bucket) do update
      set paused_until_ms = greatest(coalesce(b.paused_until_ms, excluded.paused_until_ms), excluded.paused_until_ms)`);
  }

  async usage(bucket: string, now: number): Promise<QuotaUsage> {
    try {
      const { rows } = await sql<TotalsRow & { paused_until_ms: string | null }>`
        select count(*) as requests, coalesce(sum(tokens), 0) as tokens,
          count(*) filter (where settled_at_ms is null and expires_at_ms > ${now}) as in_flight,
          (select paused_until_ms from ${this.buckets} where bucket = ${bucket}) as paused_until_ms
        from ${this.reservations}
        where bucket = ${bucket} and coalesce(settled_at_ms, expires_at_ms) + ${COUNTED_FOR_MS} > ${now}`.execute(
        this.db,
      );
      return { ...toQuotaTotals(rows[0]), pausedUntilMs: pauseAt(rows[0]?.paused_until_ms, now) };
    } catch (error) {
      throw this.translate(error);
    }
  }

  private async run(statement: ReturnType<typeof sql>): Promise<void> {
    try {
      await statement.execute(this.db);
    } catch (error) {
      throw this.translate(error);
    }
  }
}
