import type Database from 'better-sqlite3';
import type { AppendResult, EventRegistry, RunRecord } from '@kestrion/core';
import { decideAppend, isSameEvents, projectRunRecord, resendSpan } from '@kestrion/core/store-kit';
import { decodeRows } from '../append-checks';
import type { AppendRequest } from '../store-dialect';
import { SqliteAppendStatements } from './sqlite-append-statements';
import { BusyWait, isBusyError } from './sqlite-busy-retry';
import type { Exclusive } from './sqlite-reads';
import { SqliteRunCache } from './sqlite-run-cache';

/**
 * One write inside a shared transaction. It reads and writes through `tx`, which sees the
 * runs rows as this transaction left them; a job that writes more than one statement must say
 * so (`multiStatement`) so a shared batch runs it under a savepoint.
 */
export interface WriteJob<T> {
  runId: string;
  /** For translating driver errors (a unique violation names the seq it lost). */
  expectedSeq?: number;
  multiStatement: boolean;
  run(tx: WriteContext): T;
}

/** What a job gets: the prepared statements and the transaction's view of the runs rows. */
export interface WriteContext {
  statements: SqliteAppendStatements;
  /** The run's row as of this transaction (cached, or read). */
  currentRun(runId: string): RunRecord | undefined;
  /** Records the run's row as this job left it, so later jobs and later batches need not read it. */
  wrote(record: RunRecord): void;
}

interface Pending {
  job: WriteJob<unknown>;
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; result: unknown } | { ok: false; error: unknown };

/** A job failed after writing part of itself with no savepoint to undo it: the batch must go. */
export class PartialWrite {
  constructor(readonly cause: unknown) {}
}

/**
 * Group commit for every write this process makes on the hot path (appends and leases):
 * writes that arrive while a transaction is committing wait and then go out together in the
 * next one (one fsync for many runs). A lone write is committed at once. One failing job never
 * takes others down: a multi-statement job in a shared batch runs under a savepoint; a
 * single-statement one needs none (SQLite undoes a failed statement by itself); a lone job
 * that fails rolls its transaction back.
 *
 * The transaction runs synchronously on prepared statements, holding kysely's connection when
 * kysely is in use, so no other query of this store can interleave with it.
 */
export class SqliteAppender {
  private queue: Pending[] = [];
  private flushing = false;
  private statements: SqliteAppendStatements | undefined;
  private readonly cache = new SqliteRunCache();
  /** Writes in the batch committed (or failed) last. */
  private lastBatchSize = 0;

  constructor(
    private readonly exclusive: Exclusive,
    private readonly database: Database.Database,
    private readonly registry: EventRegistry,
    private readonly translate: (err: unknown, runId: string, expectedSeq?: number) => unknown,
    private readonly maxBatch: number,
    /** How long a write waits in all for another connection's lock (the store's busy timeout). */
    private readonly busyTimeoutMs: number,
    /**
     * The error to fail writes with when the database file is no longer at its path (deleted or
     * replaced while open), or undefined while it is; `committed` says the write already went in.
     */
    private readonly fileGone: (committed: boolean) => Error | undefined = () => undefined,
  ) {}

  append(request: AppendRequest): Promise<AppendResult> {
    return this.write({
      runId: request.runId,
      expectedSeq: request.expectedSeq,
      multiStatement: request.rows.length > 1,
      run: (tx) => this.appendOne(tx, request),
    });
  }

  write<T>(job: WriteJob<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ job, resolve: resolve as (r: unknown) => void, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        await this.commitNext();
        // The writers of a shared batch tend to write again at once (many runs, each appending
        // after its last append resolved), each some promise hops away. Waiting for the event
        // loop's next turn lets every such write reach the queue before the next batch is taken;
        // without it the batch is whatever arrived within this loop's own few hops (a third
        // fewer writes per commit, measured). A lone write is never held back.
        if (this.lastBatchSize > 1) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      // Only acquiring the connection can throw here; every queued write learns of it.
      for (const item of this.queue.splice(0))
        item.reject(this.translate(error, item.job.runId, item.job.expectedSeq));
    } finally {
      this.flushing = false;
    }
  }

  /**
   * Takes the write lock and commits the queued writes as one batch. While another connection
   * holds the lock, SQLite gives up after a few ms (DRIVER_BUSY_TIMEOUT_MS) and the attempt is
   * repeated after an asynchronous pause, for up to the store's busy timeout: the event loop
   * never stalls for longer than one short attempt. The batch is taken once the lock is ours,
   * so writes queued while waiting join it (group commit).
   */
  private async commitNext(): Promise<void> {
    const wait = new BusyWait(this.busyTimeoutMs);
    while (!(await this.exclusive(() => this.tryCommitBatch(wait.canRetry)))) await wait.pause();
  }

  /** False when the lock is held elsewhere and the caller may wait; otherwise the batch is settled. */
  private tryCommitBatch(mayWait: boolean): boolean {
    let s: SqliteAppendStatements;
    try {
      s = this.statements ??= new SqliteAppendStatements(this.database);
      s.beginImmediate();
    } catch (error) {
      if (isBusyError(error) && mayWait) return false;
      // Nothing was written: every write of the batch learns why.
      for (const item of this.queue.splice(0, this.maxBatch))
        item.reject(this.translate(error, item.job.runId, item.job.expectedSeq));
      return true;
    }
    this.commitBatch(s, this.queue.splice(0, this.maxBatch));
    return true;
  }

  /** Runs the batch's jobs in the transaction `beginImmediate` opened, and commits it. */
  private commitBatch(s: SqliteAppendStatements, batch: Pending[]): void {
    this.lastBatchSize = batch.length;
    const outcomes: Outcome[] = [];
    try {
      try {
        // Read once, with the write lock held; the mark after COMMIT is derived from it: this
        // connection's own commit leaves data_version alone and moves total_changes() by the
        // rows written here. The tally only adds counts SQLite reported, so it can fall short
        // (the cache is emptied next time) but never over (a foreign write must show).
        const at = s.position();
        s.takeWritten();
        this.cache.begin(`${at.version}:${at.changes}`);
        const tx: WriteContext = {
          statements: s,
          currentRun: (runId) => this.cache.get(runId) ?? s.readRun(runId),
          wrote: (record) => this.cache.stage(record),
        };
        for (const item of batch) outcomes.push(this.attempt(tx, item, batch.length > 1));
        s.commit();
        this.cache.commit(`${at.version}:${at.changes + s.takeWritten()}`);
      } catch (error) {
        this.cache.reset();
        s.rollback();
        throw this.fileGone(false) ?? (error instanceof PartialWrite ? error.cause : error);
      }
    } catch (error) {
      // The transaction failed (or a lone job did, taking it down): nothing was written.
      for (const item of batch) item.reject(this.translate(error, item.job.runId, item.job.expectedSeq));
      return;
    }
    // Committed, but into a file no path names any more: not durable, so not reported done.
    const lost = this.fileGone(true);
    if (lost) {
      for (const item of batch) item.reject(lost);
      return;
    }
    batch.forEach((item, i) => {
      const o = outcomes[i];
      if (o?.ok) item.resolve(o.result);
      else item.reject(o?.error);
    });
  }

  /** One job inside the batch's transaction; throws only when the whole batch must fail. */
  private attempt(tx: WriteContext, item: Pending, shared: boolean): Outcome {
    const { job } = item;
    try {
      const result =
        shared && job.multiStatement ? tx.statements.underSavepoint(() => job.run(tx)) : job.run(tx);
      return { ok: true, result };
    } catch (error) {
      if (error instanceof PartialWrite || !shared) throw error;
      // A savepoint undid this job's writes; rows it staged before failing are not trusted.
      if (job.multiStatement) this.cache.unstage(job.runId);
      return { ok: false, error: this.translate(error, job.runId, job.expectedSeq) };
    }
  }

  private appendOne(tx: WriteContext, req: AppendRequest): AppendResult {
    const { runId, expectedSeq, rows } = req;
    const s = tx.statements;
    const prev = tx.currentRun(runId);
    // The precedence every store shares: re-send, lease fence, head, empty append.
    const span = resendSpan(rows, expectedSeq, prev?.headSeq);
    const verdict = decideAppend({
      runId,
      expectedSeq,
      count: rows.length,
      lease: req.lease,
      current: prev,
      resent: span !== undefined && isSameEvents(rows, s.storedIds(runId, span[0], span[1])),
    });
    if (verdict.kind === 'duplicate')
      return { headSeq: verdict.headSeq, events: decodeRows(runId, rows, this.registry), duplicate: true };
    if (verdict.kind === 'empty') return { headSeq: verdict.headSeq, events: [], duplicate: false };
    const events = decodeRows(runId, rows, this.registry);
    const next = projectRunRecord(prev, events);
    s.insertEvents(rows);
    try {
      s.writeRun(next, prev);
    } catch (error) {
      throw new PartialWrite(error);
    }
    tx.wrote(next);
    return { headSeq: next.headSeq, events, duplicate: false };
  }
}
