import type Database from 'better-sqlite3';
import {
  type AppendResult,
  ConcurrencyError,
  type EventRegistry,
  projectRunRecord,
  type RunRecord,
} from '@kestrion/core';
import type { Kysely } from 'kysely';
import { assertLeaseCurrent, decodeRows, isSameEvents, resendSpan } from '../append-checks';
import type { KestrionDatabase } from '../schema';
import type { AppendRequest } from '../store-dialect';
import { SqliteAppendStatements } from './sqlite-append-statements';
import { SqliteRunCache } from './sqlite-run-cache';

interface Pending {
  request: AppendRequest;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

/** An append failed after writing part of itself with no savepoint to undo it: the batch must go. */
class PartialWrite {
  constructor(readonly cause: unknown) {}
}

/**
 * Group commit: appends that arrive while a transaction is committing wait and then go out
 * together in the next one (one fsync for many runs). A lone append is written at once.
 * One failing append never takes others down: a multi-event append in a shared batch runs
 * under a savepoint; a single-event one writes with one INSERT, which SQLite undoes by itself
 * when it fails, so it needs none; a lone append that fails rolls its transaction back.
 *
 * The transaction runs synchronously on prepared statements while holding kysely's
 * connection, so no other query of this store can interleave with it.
 */
export class SqliteAppender {
  private queue: Pending[] = [];
  private flushing = false;
  private statements: SqliteAppendStatements | undefined;
  private readonly cache = new SqliteRunCache();

  constructor(
    private readonly db: Kysely<KestrionDatabase>,
    private readonly database: Database.Database,
    private readonly registry: EventRegistry,
    private readonly translate: (err: unknown, runId: string, expectedSeq: number) => unknown,
    private readonly maxBatch: number,
  ) {}

  append(request: AppendRequest): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      // The batch is taken once the connection is ours: appends queued meanwhile join it.
      while (this.queue.length > 0)
        await this.db.connection().execute(async () => this.commitBatch(this.queue.splice(0, this.maxBatch)));
    } catch (error) {
      // Only acquiring the connection can throw here; every queued append learns of it.
      for (const item of this.queue.splice(0))
        item.reject(this.translate(error, item.request.runId, item.request.expectedSeq));
    } finally {
      this.flushing = false;
    }
  }

  private commitBatch(batch: Pending[]): void {
    const outcomes: Outcome[] = [];
    try {
      const s = (this.statements ??= new SqliteAppendStatements(this.database));
      s.beginImmediate();
      try {
        this.cache.begin(s.mark());
        for (const item of batch) outcomes.push(this.attempt(s, item, batch.length > 1));
        s.commit();
        this.cache.commit(s.mark());
      } catch (error) {
        this.cache.reset();
        s.rollback();
        throw error instanceof PartialWrite ? error.cause : error;
      }
    } catch (error) {
      // The transaction failed (or a lone append did, taking it down): nothing was written.
      for (const item of batch)
        item.reject(this.translate(error, item.request.runId, item.request.expectedSeq));
      return;
    }
    batch.forEach((item, i) => {
      const o = outcomes[i];
      if (o?.ok) item.resolve(o.result);
      else item.reject(o?.error);
    });
  }

  /** One append inside the batch's transaction; throws only when the whole batch must fail. */
  private attempt(s: SqliteAppendStatements, item: Pending, shared: boolean): Outcome {
    try {
      const written =
        shared && item.request.rows.length > 1
          ? s.underSavepoint(() => this.appendOne(s, item.request))
          : this.appendOne(s, item.request);
      if (written.next) this.cache.stage(written.next);
      return { ok: true, result: written.result };
    } catch (error) {
      if (error instanceof PartialWrite || !shared) throw error;
      return { ok: false, error: this.translate(error, item.request.runId, item.request.expectedSeq) };
    }
  }

  private appendOne(
    s: SqliteAppendStatements,
    req: AppendRequest,
  ): { result: AppendResult; next?: RunRecord } {
    const { runId, expectedSeq, rows } = req;
    const prev = this.cache.get(runId) ?? s.readRun(runId);
    if (req.lease) assertLeaseCurrent(prev, req.lease);
    const head = prev?.headSeq ?? 0;
    if (head !== expectedSeq) {
      const span = resendSpan(rows, prev?.headSeq);
      if (!span || !isSameEvents(rows, s.storedIds(runId, span[0], span[1])))
        throw new ConcurrencyError(runId, expectedSeq, prev?.headSeq);
      return { result: { headSeq: head, events: decodeRows(runId, rows, this.registry), duplicate: true } };
    }
    if (rows.length === 0) return { result: { headSeq: head, events: [], duplicate: false } };
    const events = decodeRows(runId, rows, this.registry);
    const next = projectRunRecord(prev, events);
    s.insertEvents(rows);
    try {
      s.writeRun(next, prev);
    } catch (error) {
      throw new PartialWrite(error);
    }
    return { result: { headSeq: next.headSeq, events, duplicate: false }, next };
  }
}
