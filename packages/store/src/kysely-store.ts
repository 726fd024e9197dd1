import {
  type AppendOptions,
  type AppendResult,
  type ClaimRequest,
  type Lease,
  type LeaseRequest,
  type ListRunsQuery,
  type NewEvent,
  type ReadOptions,
  type Redactor,
  type RunPage,
  type RunRecord,
  type RunStatus,
  type Snapshot,
  type Store,
  type StoredEvent,
  isTerminal,
} from '@kestrion/core';
import {
  type CodecOptions,
  decodeRunCursor,
  encodeEvents,
  encodeRunCursor,
  EventDecoder,
  assertDistinctEventIds,
  assertValidListQuery,
  assertValidRunId,
} from '@kestrion/core/store-kit';
import { toRawEventRow, toRunRecord } from './row-mapping';
import type { StoreDialect } from './store-dialect';

// Rows per round trip when streaming a run: large enough that a 10,000-event run is a few
// queries, small enough that memory stays bounded for any run length.
const DEFAULT_PAGE = 2500;

/**
 * The Store on kysely, one implementation for both dialects. What differs (append commit
 * strategy, claiming, driver errors) lives in the `StoreDialect`; everything else is here.
 */
export class KyselyStore implements Store {
  private closing: Promise<void> | undefined;

  constructor(
    readonly dialect: StoreDialect,
    private readonly codec: CodecOptions,
  ) {
    dialect.opened?.();
  }

  private get db() {
    return this.dialect.db;
  }

  get redactor(): Redactor | undefined {
    return this.codec.redact;
  }

  async append(
    runId: string,
    expectedSeq: number,
    events: NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    const rows = encodeEvents(runId, expectedSeq, events, this.codec);
    assertDistinctEventIds(
      runId,
      rows.map((r) => r.id),
    );
    return this.dialect.append({
      runId,
      expectedSeq,
      rows,
      ...(options.lease ? { lease: options.lease } : {}),
    });
  }

  async *readEvents(runId: string, options: ReadOptions = {}): AsyncIterable<StoredEvent> {
    assertValidRunId(runId);
    const pageSize = options.pageSize ?? DEFAULT_PAGE;
    let from = options.fromSeq ?? 1;
    const decoder = new EventDecoder(runId, from, this.codec.registry);
    for (;;) {
      const page = await this.translated(this.dialect.reads.eventsPage(runId, from, pageSize), runId);
      for (const row of page) yield decoder.decode(toRawEventRow(row));
      const last = page[page.length - 1];
      if (page.length < pageSize || !last) return;
      from = Number(last.seq) + 1;
    }
  }

  async saveSnapshot(s: Snapshot): Promise<void> {
    assertValidRunId(s.runId);
    return this.translated(this.dialect.snapshots.save(s), s.runId);
  }

  async loadSnapshot(runId: string, foldVersion: number, maxSeq?: number): Promise<Snapshot | undefined> {
    assertValidRunId(runId);
    const row = await this.translated(this.dialect.reads.latestSnapshot(runId, foldVersion, maxSeq), runId);
    return row && { runId, foldVersion, seq: Number(row.seq), state: JSON.parse(row.state) };
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    assertValidRunId(runId);
    return this.translated(this.dialect.reads.run(runId), runId);
  }

  async countRunsByStatus(): Promise<Partial<Record<RunStatus, number>>> {
    // The status index answers this without reading rows.
    const rows = await this.translated(
      this.db
        .selectFrom('kestrion_runs')
        .select((eb) => ['status', eb.fn.countAll<number | string>().as('n')])
        .groupBy('status')
        .execute(),
    );
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  async listRuns(q: ListRunsQuery = {}): Promise<RunPage> {
    assertValidListQuery(q);
    if (q.parentRunId !== undefined) assertValidRunId(q.parentRunId);
    const limit = q.limit ?? 50;
    let query = this.db.selectFrom('kestrion_runs').selectAll();
    if (q.status !== undefined) query = query.where('status', 'in', ([] as string[]).concat(q.status));
    if (q.agent !== undefined) query = query.where('agent', '=', q.agent);
    if (q.parentRunId !== undefined) query = query.where('parent_run_id', '=', q.parentRunId);
    if (q.waitingApprovals) query = query.where('pending_approvals', '>', 0);
    if (q.metadata !== undefined && Object.keys(q.metadata).length > 0)
      query = query.where(this.dialect.metadataMatches(q.metadata));
    if (q.cursor !== undefined) {
      const c = decodeRunCursor(q.cursor);
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '<', c.createdAt),
          eb.and([eb('created_at', '=', c.createdAt), eb('run_id', '<', c.runId)]),
        ]),
      );
    }
    const rows = await this.translated(
      query
        .orderBy('created_at', 'desc')
        .orderBy('run_id', 'desc')
        .limit(limit + 1)
        .execute(),
    );
    const runs = rows.slice(0, limit).map(toRunRecord);
    const last = runs[runs.length - 1];
    return rows.length > limit && last ? { runs, nextCursor: encodeRunCursor(last) } : { runs };
  }

  async acquireLease(runId: string, req: LeaseRequest): Promise<Lease> {
    assertValidRunId(runId);
    return this.translated(this.dialect.leases.acquire(runId, req), runId);
  }

  async renewLease(lease: Lease, req: Omit<LeaseRequest, 'owner'>): Promise<Lease> {
    assertValidRunId(lease.runId);
    return this.translated(this.dialect.leases.renew(lease, req), lease.runId);
  }

  async releaseLease(lease: Lease): Promise<void> {
    assertValidRunId(lease.runId);
    return this.translated(this.dialect.leases.release(lease), lease.runId);
  }

  claimNext(req: ClaimRequest): Promise<Lease | undefined> {
    // An ended run is never leased, even when asked for (see acquireLease).
    const statuses = req.statuses?.filter((x) => !isTerminal(x));
    if (statuses?.length === 0 || req.agents?.length === 0) return Promise.resolve(undefined);
    return this.translated(this.dialect.claimNext(req, statuses));
  }

  async purgeRun(runId: string): Promise<void> {
    assertValidRunId(runId);
    await this.translated(
      this.dialect.retryingLocks(() =>
        this.db.transaction().execute(async (trx) => {
          await trx.deleteFrom('kestrion_events').where('run_id', '=', runId).execute();
          await trx.deleteFrom('kestrion_snapshots').where('run_id', '=', runId).execute();
          await trx.deleteFrom('kestrion_runs').where('run_id', '=', runId).execute();
        }),
      ),
      runId,
    );
  }

  /** Closes the connection or pool the store opened (a pool passed in is left open); idempotent. */
  close(): Promise<void> {
    return (this.closing ??= this.dialect.destroy());
  }

  /** `await using store = await openStore(...)` closes it when the block ends, as `close()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * Every call's driver errors become Kestrion's typed errors (StoreError with `retryable`),
   * as appends' always were: a caller never sees a bare pg or better-sqlite3 error.
   */
  private translated<T>(work: Promise<T>, runId?: string): Promise<T> {
    return work.catch((error: unknown) => Promise.reject(this.dialect.translateError(error, runId)));
  }
}
