import { type AppendResult, ConcurrencyError, type EventRegistry, type RunRecord } from '@kestrion/core';
import { decideAppend, isSameEvents, projectRunRecord, resendSpan } from '@kestrion/core/store-kit';
import type { Kysely } from 'kysely';
import { decodeRows } from '../append-checks';
import type { KestrionDatabase } from '../schema';
import type { AppendRequest } from '../store-dialect';
import { PostgresAppendStatements } from './postgres-append-statements';
import type { PgPool } from './postgres-config';
import { readRunRecord } from './postgres-read-run';
import type { PostgresTables } from './postgres-tables';

const CACHE_LIMIT = 10_000;

/**
 * One append = one statement = one round trip: a data-modifying CTE moves the run's head
 * (guarded by `head_seq = expectedSeq` and the lease epoch) and inserts the events only if
 * the guard held. PostgreSQL commits concurrent statements with one WAL flush (its own group
 * commit), so 100 runs appending through the pool share fsyncs.
 *
 * The projection needs the previous `runs` row; this process's last write is cached, and a
 * stale cache can only fail the guard (then the row is re-read), never write a wrong row: the
 * update sets no lease column from it (only clears the lease when the run ends).
 */
export class PostgresAppender {
  private readonly cache = new Map<string, RunRecord>();
  private readonly statements: PostgresAppendStatements;

  constructor(
    private readonly db: Kysely<KestrionDatabase>,
    private readonly pool: PgPool,
    private readonly registry: EventRegistry,
    tables: PostgresTables,
  ) {
    this.statements = new PostgresAppendStatements(tables);
  }

  async append(req: AppendRequest): Promise<AppendResult> {
    const { runId, expectedSeq, rows } = req;
    const events = decodeRows(runId, rows, this.registry);
    // The lease is not read first: the statement's guard checks owner and epoch, and a guard
    // that fails is resolved from a fresh read (LeaseLostError, a re-sent append, or a
    // conflict). One round trip per append, leased or not. The cached row's lease columns may
    // be stale, so nothing is decided from them: an empty append (no statement) reads the row.
    let prev = this.cache.get(runId);
    if (!prev || prev.headSeq !== expectedSeq || rows.length === 0) prev = await this.readRun(runId);
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
    const result = await this.pool.query(this.statements.statement(req, prev, next));
    return result.rowCount ?? 0;
  }

  /**
   * The guard did not take (or there was nothing to write). A re-sent append already stored is
   * a duplicate even if its lease has gone since (an append that ended the run freed it);
   * otherwise a lost lease, then a moved head, is the error.
   */
  private async mismatch(req: AppendRequest, current: RunRecord | undefined): Promise<AppendResult> {
    // The precedence every store shares: re-send, lease fence, head, empty append.
    const verdict = decideAppend({
      runId: req.runId,
      expectedSeq: req.expectedSeq,
      count: req.rows.length,
      lease: req.lease,
      current,
      resent: await this.isStoredResend(req, current?.headSeq),
    });
    if (verdict.kind === 'duplicate')
      return {
        headSeq: verdict.headSeq,
        events: decodeRows(req.runId, req.rows, this.registry),
        duplicate: true,
      };
    if (verdict.kind === 'empty') return { headSeq: verdict.headSeq, events: [], duplicate: false };
    // Every check passes on the fresh row, yet the guard did not take: the row moved in between.
    throw new ConcurrencyError(req.runId, req.expectedSeq, current?.headSeq);
  }

  private readRun(runId: string): Promise<RunRecord | undefined> {
    return readRunRecord(this.db, runId);
  }

  /**
   * After a head mismatch: true when this is a re-sent append whose event ids already sit at
   * exactly these seqs (it was stored once; the caller reports a duplicate).
   */
  private async isStoredResend(req: AppendRequest, actualSeq: number | undefined): Promise<boolean> {
    const { rows, runId } = req;
    const span = resendSpan(rows, req.expectedSeq, actualSeq);
    if (!span) return false;
    const stored = await this.db
      .selectFrom('kestrion_events')
      .select(['seq', 'event_id'])
      .where('run_id', '=', runId)
      .where('seq', '>=', span[0])
      .where('seq', '<=', span[1])
      .orderBy('seq')
      .execute();
    return isSameEvents(
      rows,
      stored.map((s) => s.event_id),
    );
  }

  private remember(r: RunRecord): void {
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(r.runId, r);
  }
}
