import type Database from 'better-sqlite3';
import { type RunRecord, TERMINAL_STATUSES } from '@kestrion/core';
import { type RawEventRow, SNAPSHOTS_KEPT } from '@kestrion/core/store-kit';
import { toRunRecord } from '../row-mapping';
import { NamedStatement } from './sqlite-named-statement';
import type { RunsTable } from '../schema';

const ENDED_STATUSES: ReadonlySet<string> = new Set(TERMINAL_STATUSES);
const ENDED = TERMINAL_STATUSES.map((x) => `'${x}'`).join(', ');
/** The lease goes when the run ends (`@status` is the new status). */
const FREE_LEASE_WHEN_ENDED = `lease_owner = case when @status in (${ENDED}) then null else lease_owner end,
  lease_expires_at_ms = case when @status in (${ENDED}) then null else lease_expires_at_ms end`;
/** The scheduling fields projectRunRecord computes, written by every append. */
const SCHEDULING = `approval_deadlines = @approvalDeadlines, next_due_at_ms = @nextDueAtMs,
  waiting_on_run = @waitingOnRun, runnable = @runnable`;

/** A runs row as the named parameters of the statements below (`@runId`, `@status`, ...). */
type RunParams = Omit<RunRecord, 'approvalDeadlines' | 'runnable' | 'metadata'> & {
  approvalDeadlines: string;
  runnable: number;
  metadata: string;
};

/** What a runs-row write that leaves identity and scheduling alone binds. */
function counterParams(r: RunRecord) {
  return {
    runId: r.runId,
    status: r.status,
    waitingReason: r.waitingReason,
    headSeq: r.headSeq,
    pendingApprovals: r.pendingApprovals,
    updatedAt: r.updatedAt,
  };
}

function runParams(r: RunRecord): RunParams {
  return {
    ...r,
    approvalDeadlines: JSON.stringify(r.approvalDeadlines),
    runnable: r.runnable ? 1 : 0,
    metadata: JSON.stringify(r.metadata),
  };
}

type Run = Database.RunResult;

interface Position {
  version: number;
  changes: number;
}

/**
 * The append path's statements on the raw better-sqlite3 handle, prepared once (after the
 * migration created the tables). The append path runs many of them per commit; going through
 * kysely would compile each one again every time.
 */
export class SqliteAppendStatements {
  private readonly begin: NamedStatement;
  private readonly commitTx: NamedStatement;
  private readonly rollbackTx: NamedStatement;
  private readonly savepoint: NamedStatement;
  private readonly releaseSavepoint: NamedStatement;
  private readonly rollbackTo: NamedStatement;
  private readonly selectRun: NamedStatement<RunsTable>;
  private readonly insertEvent: NamedStatement;
  private readonly updateRun: NamedStatement;
  private readonly updateProgress: NamedStatement;
  private readonly updateEnded: NamedStatement;
  private readonly updateHead: NamedStatement;
  private readonly updateStatus: NamedStatement;
  private readonly updateCounters: NamedStatement;
  private readonly acquire: NamedStatement<RunsTable>;
  private readonly renew: NamedStatement<RunsTable>;
  private readonly release: NamedStatement<RunsTable>;
  private readonly insertRun: NamedStatement;
  private readonly selectDataVersion: NamedStatement<number>;
  private readonly selectTotalChanges: NamedStatement<number>;
  private readonly insertSnapshot: NamedStatement;
  private readonly selectKeptSnapshot: NamedStatement<number>;
  private readonly deleteOlderSnapshots: NamedStatement;
  /** Rows changed by this object's statements since `takeWritten` was last called. */
  private written = 0;
  private readonly selectIds: NamedStatement<string>;

  constructor(private readonly db: Database.Database) {
    const p = <R = unknown>(s: string) => new NamedStatement<R>(db, s);
    this.begin = p('begin immediate');
    this.commitTx = p('commit');
    this.rollbackTx = p('rollback');
    this.savepoint = p('savepoint kestrion_append');
    this.releaseSavepoint = p('release kestrion_append');
    this.rollbackTo = p('rollback to kestrion_append');
    this.selectRun = p('select * from kestrion_runs where run_id = @runId');
    this.insertEvent = p(
      `insert into kestrion_events (run_id, seq, event_id, type, v, at, data, cost)
         values (@runId, @seq, @id, @type, @v, @at, @data, @cost)`,
    );
    // Lease columns belong to the lease operations; an append leaves them as they are unless
    // it ends the run, which frees the lease (see projectRunRecord).
    this.updateRun = p(
      `update kestrion_runs set status = @status, waiting_reason = @waitingReason, head_seq = @headSeq,
         agent = @agent, parent_run_id = @parentRunId, pending_approvals = @pendingApprovals,
         created_at = @createdAt, updated_at = @updatedAt, metadata = @metadata, priority = @priority,
         concurrency_key = @concurrencyKey, ${SCHEDULING},
         ${FREE_LEASE_WHEN_ENDED} where run_id = @runId`,
    );
    // Most appends move only these; assigning fewer columns keeps SQLite from rewriting the
    // entries of the created/agent/parent indexes on every append.
    this.updateProgress = p(
      `update kestrion_runs set status = @status, waiting_reason = @waitingReason, head_seq = @headSeq,
         pending_approvals = @pendingApprovals, updated_at = @updatedAt, ${SCHEDULING} where run_id = @runId`,
    );
    this.updateEnded = p(
      `update kestrion_runs set status = @status, waiting_reason = @waitingReason, head_seq = @headSeq,
         pending_approvals = @pendingApprovals, updated_at = @updatedAt, ${SCHEDULING},
         lease_owner = null, lease_expires_at_ms = null where run_id = @runId`,
    );
    // While the status stays, the status index need not be touched: one page less per commit.
    this.updateHead = p(
      `update kestrion_runs set waiting_reason = @waitingReason, head_seq = @headSeq,
         pending_approvals = @pendingApprovals, updated_at = @updatedAt, ${SCHEDULING} where run_id = @runId`,
    );
    // A status that moves while the scheduling fields stay (a run approved and then started:
    // pending, then running, runnable both times) leaves the claim index alone, as below.
    this.updateStatus = p(
      `update kestrion_runs set status = @status, waiting_reason = @waitingReason, head_seq = @headSeq,
         pending_approvals = @pendingApprovals, updated_at = @updatedAt where run_id = @runId`,
    );
    // While the scheduling fields stay too (a run moving step by step), the claim index, whose
    // WHERE reads runnable and next_due_at_ms, is not touched either: SQLite rewrites an index's
    // entry whenever an UPDATE assigns one of its columns, even to the same value.
    this.updateCounters = p(
      `update kestrion_runs set waiting_reason = @waitingReason, head_seq = @headSeq,
         pending_approvals = @pendingApprovals, updated_at = @updatedAt where run_id = @runId`,
    );
    this.acquire = p(
      `update kestrion_runs set lease_owner = @owner, lease_epoch = lease_epoch + 1, lease_expires_at_ms = @expiresAtMs
         where run_id = @runId and status not in (${ENDED})
           and (lease_owner is null or lease_owner = @owner or lease_expires_at_ms <= @now) returning *`,
    );
    this.renew = p(
      `update kestrion_runs set lease_expires_at_ms = @expiresAtMs
         where run_id = @runId and lease_owner = @owner and lease_epoch = @epoch returning *`,
    );
    this.release = p(
      `update kestrion_runs set lease_owner = null, lease_expires_at_ms = null
         where run_id = @runId and lease_owner = @owner and lease_epoch = @epoch returning *`,
    );
    this.insertRun = p(
      `insert into kestrion_runs (run_id, status, waiting_reason, head_seq, agent, parent_run_id, pending_approvals,
         created_at, updated_at, lease_owner, lease_epoch, lease_expires_at_ms,
         approval_deadlines, next_due_at_ms, waiting_on_run, runnable, metadata, priority, concurrency_key)
       values (@runId, @status, @waitingReason, @headSeq, @agent, @parentRunId, @pendingApprovals,
         @createdAt, @updatedAt, @leaseOwner, @leaseEpoch, @leaseExpiresAtMs,
         @approvalDeadlines, @nextDueAtMs, @waitingOnRun, @runnable, @metadata, @priority, @concurrencyKey)`,
    );
    // Two plain statements: the table-valued `pragma_data_version` costs ~1.7× as much.
    this.selectDataVersion = p<number>('pragma data_version').pluck();
    this.selectTotalChanges = p<number>('select total_changes()').pluck();
    this.insertSnapshot = p(
      `insert into kestrion_snapshots (run_id, fold_version, seq, state) values (@runId, @foldVersion, @seq, @state)
         on conflict (run_id, fold_version, seq) do nothing`,
    );
    this.selectKeptSnapshot = p<number>(
      `select seq from kestrion_snapshots where run_id = @runId and fold_version = @foldVersion
         order by seq desc limit 1 offset @offset`,
    ).pluck();
    this.deleteOlderSnapshots = p(
      'delete from kestrion_snapshots where run_id = @runId and fold_version = @foldVersion and seq < @seq',
    );
    this.selectIds = p<string>(
      'select event_id from kestrion_events where run_id = @runId and seq between @from and @to order by seq',
    ).pluck();
  }

  beginImmediate(): void {
    this.begin.run();
  }

  commit(): void {
    this.commitTx.run();
  }

  /** Rolls back the open transaction, if there still is one (SQLite may have ended it already). */
  rollback(): void {
    if (this.db.inTransaction) this.rollbackTx.run();
  }

  /** Runs `write` under a savepoint: on a throw, its writes are undone and the error rethrown. */
  underSavepoint<T>(write: () => T): T {
    this.savepoint.run();
    try {
      const result = write();
      this.releaseSavepoint.run();
      return result;
    } catch (error) {
      if (this.db.inTransaction) {
        this.rollbackTo.run();
        this.releaseSavepoint.run();
      }
      throw error;
    }
  }

  readRun(runId: string): RunRecord | undefined {
    const row = this.selectRun.get({ runId });
    return row && toRunRecord(row);
  }

  /**
   * Where the database stands: another connection's commit moves `version`; a write on this
   * connection moves `changes` (SQLite's total_changes(), which counts every row changed).
   */
  position(): Position {
    return {
      version: this.selectDataVersion.get() as number,
      changes: this.selectTotalChanges.get() as number,
    };
  }

  /** Rows changed through this object since the last call: total_changes() moved by exactly this. */
  takeWritten(): number {
    const n = this.written;
    this.written = 0;
    return n;
  }

  insertEvents(rows: RawEventRow[]): void {
    for (const r of rows) this.count(this.insertEvent.run(r));
  }

  /** Writes the run's projection row; `prev` is the row as it stands in this transaction. */
  writeRun(r: RunRecord, prev: RunRecord | undefined): void {
    this.count(this.writeRunRow(r, prev));
  }

  private writeRunRow(r: RunRecord, prev: RunRecord | undefined): Run {
    // The projection keeps the row's metadata object unless a run.started replaced it.
    const sameIdentity =
      prev &&
      prev.agent === r.agent &&
      prev.parentRunId === r.parentRunId &&
      prev.createdAt === r.createdAt &&
      prev.metadata === r.metadata;
    if (sameIdentity) {
      // projectRunRecord keeps the approvalDeadlines object while no deadline changes.
      const sameScheduling =
        prev.runnable === r.runnable &&
        prev.nextDueAtMs === r.nextDueAtMs &&
        prev.waitingOnRun === r.waitingOnRun &&
        prev.approvalDeadlines === r.approvalDeadlines;
      if (prev.status === r.status) {
        if (!sameScheduling) return this.updateHead.run(runParams(r));
        return this.updateCounters.run(counterParams(r));
      }
      if (ENDED_STATUSES.has(r.status)) return this.updateEnded.run(runParams(r));
      if (sameScheduling) return this.updateStatus.run(counterParams(r));
      return this.updateProgress.run(runParams(r));
    }
    const params = runParams(r);
    if (prev) return this.updateRun.run(params);
    return this.insertRun.run(params);
  }

  /**
   * Takes the lease when the run has not ended and the lease is free, expired or already the
   * owner's; undefined when it is not.
   */
  acquireLease(runId: string, owner: string, expiresAtMs: number, now: number): RunRecord | undefined {
    return this.changedRow(this.acquire.get({ runId, owner, expiresAtMs, now }));
  }

  /** Moves the expiry of a lease that is still current; undefined when it is not. */
  renewLease(runId: string, owner: string, epoch: number, expiresAtMs: number): RunRecord | undefined {
    return this.changedRow(this.renew.get({ runId, owner, epoch, expiresAtMs }));
  }

  /** Clears a lease that is still current; undefined when it was not. */
  releaseLease(runId: string, owner: string, epoch: number): RunRecord | undefined {
    return this.changedRow(this.release.get({ runId, owner, epoch }));
  }

  /** Saves a snapshot and keeps only the newest SNAPSHOTS_KEPT of the run's fold version. */
  saveSnapshot(runId: string, foldVersion: number, seq: number, state: string): void {
    this.count(this.insertSnapshot.run({ runId, foldVersion, seq, state }));
    // Retention: snapshots are a cache; a long run's database grows with its events, not with
    // copies of its state.
    const keep = this.selectKeptSnapshot.get({ runId, foldVersion, offset: SNAPSHOTS_KEPT - 1 });
    if (keep !== undefined) this.count(this.deleteOlderSnapshots.run({ runId, foldVersion, seq: keep }));
  }

  private count(result: Run): void {
    this.written += result.changes;
  }

  /** The row an UPDATE ... RETURNING changed (one row changed), or undefined (none). */
  private changedRow(row: RunsTable | undefined): RunRecord | undefined {
    if (!row) return undefined;
    this.written += 1;
    return toRunRecord(row);
  }

  /** The event ids stored at seqs `from..to` of the run, in seq order. */
  storedIds(runId: string, from: number, to: number): string[] {
    return this.selectIds.all({ runId, from, to });
  }
}
