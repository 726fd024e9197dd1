import {
  type AppendResult,
  ConcurrencyError,
  type EventRegistry,
  projectRunRecord,
  type RunRecord,
} from '@kestrion/core';
import { type Kysely, sql } from 'kysely';
import { assertLeaseCurrent, decodeRows, resolveHeadMismatch } from '../append-checks';
import { toRunRecord, toRunsRow } from '../row-mapping';
import type { KestrionDatabase } from '../schema';
import type { AppendRequest } from '../store-dialect';

const CACHE_LIMIT = 10_000;

/**
 * One append = one statement = one round trip: a data-modifying CTE moves the run's head
 * (guarded by `head_seq = expectedSeq` and the lease epoch) and inserts the events only if
 * the guard held. PostgreSQL commits concurrent statements with one WAL flush (its own group
 * commit), so 100 runs appending through the pool share fsyncs.
 *
 * The projection needs the previous `runs` row; this process's last write is cached, and a
 * stale cache can only fail the guard (then the row is re-read), never write a wrong row.
 */
export class PostgresAppender {
  private readonly cache = new Map<string, RunRecord>();

  constructor(
    private readonly db: Kysely<KestrionDatabase>,
    private readonly registry: EventRegistry,
  ) {}

  async append(req: AppendRequest): Promise<AppendResult> {
    const { runId, expectedSeq, rows } = req;
    const events = decodeRows(runId, rows, this.registry);
    let prev = this.cache.get(runId);
    if (!prev || prev.headSeq !== expectedSeq || req.lease) prev = await this.readRun(runId);
    if (req.lease) assertLeaseCurrent(prev, req.lease);
    if ((prev?.headSeq ?? 0) !== expectedSeq || rows.length === 0) return this.mismatch(req, prev);
    const next = projectRunRecord(prev, events);
    const inserted = await this.write(req, prev, next);
    if (inserted !== rows.length) {
      this.cache.delete(runId);
      return this.mismatch(req, await this.readRun(runId));
    }
    this.remember(next);
    return { headSeq: next.headSeq, events, duplicate: false };
  }

  forget(runId: string): void {
    this.cache.delete(runId);
  }

  private async write(req: AppendRequest, prev: RunRecord | undefined, next: RunRecord): Promise<number> {
    const r = toRunsRow(next);
    const cols = {
      ids: req.rows.map((x) => x.id),
      seqs: req.rows.map((x) => x.seq),
      types: req.rows.map((x) => x.type),
      vs: req.rows.map((x) => x.v),
      ats: req.rows.map((x) => x.at),
      datas: req.rows.map((x) => x.data),
      costs: req.rows.map((x) => x.cost),
    };
    const insertEvents = sql`insert into kestrion_events (run_id, seq, event_id, type, v, at, data, cost)
      select ${req.runId}, t.seq, t.id, t.type, t.v, t.at, t.data, t.cost
      from unnest(${cols.seqs}::int[], ${cols.ids}::text[], ${cols.types}::text[], ${cols.vs}::int[],
                  ${cols.ats}::text[], ${cols.datas}::text[], ${cols.costs}::text[]) as t(seq, id, type, v, at, data, cost)
      where exists (select 1 from guard)`;
    const guard = prev
      ? sql`update kestrion_runs set status = ${r.status}, waiting_reason = ${r.waiting_reason}, head_seq = ${r.head_seq},
            agent = ${r.agent}, parent_run_id = ${r.parent_run_id}, pending_approvals = ${r.pending_approvals},
            updated_at = ${r.updated_at}
          where run_id = ${req.runId} and head_seq = ${req.expectedSeq}
            ${req.lease ? sql`and lease_owner = ${req.lease.owner} and lease_epoch = ${req.lease.epoch}` : sql``}
          returning run_id`
      : sql`insert into kestrion_runs (run_id, status, waiting_reason, head_seq, agent, parent_run_id, pending_approvals,
            created_at, updated_at, lease_owner, lease_epoch, lease_expires_at_ms)
          values (${r.run_id}, ${r.status}, ${r.waiting_reason}, ${r.head_seq}, ${r.agent}, ${r.parent_run_id},
            ${r.pending_approvals}, ${r.created_at}, ${r.updated_at}, null, 0, null)
          on conflict (run_id) do nothing returning run_id`;
    const result = await sql`with guard as (${guard}) ${insertEvents}`.execute(this.db);
    return Number(result.numAffectedRows ?? 0n);
  }

  private async mismatch(req: AppendRequest, current: RunRecord | undefined): Promise<AppendResult> {
    if (req.lease) assertLeaseCurrent(current, req.lease);
    const head = current?.headSeq ?? 0;
    if (head === req.expectedSeq && req.rows.length === 0)
      return { headSeq: head, events: [], duplicate: false };
    if (head === req.expectedSeq) throw new ConcurrencyError(req.runId, req.expectedSeq, head);
    await resolveHeadMismatch(this.db, req.rows, req.expectedSeq, current?.headSeq, req.runId);
    return { headSeq: head, events: decodeRows(req.runId, req.rows, this.registry), duplicate: true };
  }

  private async readRun(runId: string): Promise<RunRecord | undefined> {
    const row = await this.db
      .selectFrom('kestrion_runs')
      .selectAll()
      .where('run_id', '=', runId)
      .executeTakeFirst();
    return row && toRunRecord(row);
  }

  private remember(r: RunRecord): void {
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(r.runId, r);
  }
}
