import type { RunRecord } from '@kestrion/core';

const LIMIT = 10_000;

/**
 * The `runs` rows this connection wrote last, so an append need not read its run's row back.
 * It is trusted only while nothing else wrote to the database: another connection's commit
 * moves `PRAGMA data_version`, and this connection's own writes outside the write queue
 * (claims, purges, snapshots) move `total_changes()`. The write queue reads both right after
 * `BEGIN IMMEDIATE` (with the write lock held) and passes them as the transaction's `mark`;
 * a mark other than the one left by the last commit empties the cache.
 */
export class SqliteRunCache {
  private readonly rows = new Map<string, RunRecord>();
  private readonly staged = new Map<string, RunRecord>();
  private mark: string | undefined;

  /** At the start of a transaction. */
  begin(mark: string): void {
    if (mark !== this.mark) this.rows.clear();
    this.staged.clear();
  }

  /** The run's row as of this transaction, or undefined when it is not known here. */
  get(runId: string): RunRecord | undefined {
    return this.staged.get(runId) ?? this.rows.get(runId);
  }

  /** A row written in this transaction; it becomes known once the transaction commits. */
  stage(r: RunRecord): void {
    this.staged.set(r.runId, r);
  }

  /** A job's writes were rolled back to its savepoint: its run's row is read again. */
  unstage(runId: string): void {
    this.staged.delete(runId);
    this.rows.delete(runId);
  }

  /** After COMMIT, with the mark read after it (it counts this transaction's own writes). */
  commit(mark: string): void {
    if (this.rows.size + this.staged.size > LIMIT) this.rows.clear();
    for (const [runId, r] of this.staged) this.rows.set(runId, r);
    this.staged.clear();
    this.mark = mark;
  }

  /** After a rollback nothing is known any more. */
  reset(): void {
    this.rows.clear();
    this.staged.clear();
    this.mark = undefined;
  }
}
