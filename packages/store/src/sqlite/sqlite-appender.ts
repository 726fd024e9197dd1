import type { AppendResult, EventRegistry } from '@kestrion/core';
import { type Kysely, sql } from 'kysely';
import { assertLeaseCurrent, decodeRows, resolveHeadMismatch } from '../append-checks';
import { projectRunRecord } from '@kestrion/core';
import { toEventsRow, toRunRecord, toRunsRow } from '../row-mapping';
import type { KestrionDatabase } from '../schema';
import type { AppendRequest } from '../store-dialect';

interface Pending extends AppendRequest {
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

// SQLite allows 32,766 bound parameters per statement; 8 per event row.
const ROWS_PER_INSERT = 1000;

/**
 * Group commit: appends that arrive while a transaction is committing wait and then go out
 * together in the next one (one fsync for many runs). A lone append is written at once.
 * Each append runs under its own savepoint, so one conflicting run fails alone.
 */
export class SqliteAppender {
  private queue: Pending[] = [];
  private flushing = false;

  constructor(
    private readonly db: Kysely<KestrionDatabase>,
    private readonly registry: EventRegistry,
    private readonly translate: (err: unknown, runId: string, expectedSeq: number) => unknown,
    private readonly maxBatch: number,
  ) {}

  append(request: AppendRequest): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...request, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) await this.commitBatch(this.queue.splice(0, this.maxBatch));
    } finally {
      this.flushing = false;
    }
  }

  private async commitBatch(batch: Pending[]): Promise<void> {
    const outcomes: Array<{ ok: true; result: AppendResult } | { ok: false; error: unknown }> = [];
    try {
      await this.db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          for (const item of batch) {
            await sql`savepoint kestrion_append`.execute(conn);
            try {
              outcomes.push({ ok: true, result: await this.appendOne(conn, item) });
              await sql`release kestrion_append`.execute(conn);
            } catch (error) {
              await sql`rollback to kestrion_append`.execute(conn);
              await sql`release kestrion_append`.execute(conn);
              outcomes.push({ ok: false, error: this.translate(error, item.runId, item.expectedSeq) });
            }
          }
          await sql`commit`.execute(conn);
        } catch (error) {
          await sql`rollback`.execute(conn).catch(() => undefined);
          throw error;
        }
      });
    } catch (error) {
      for (const item of batch) item.reject(this.translate(error, item.runId, item.expectedSeq));
      return;
    }
    batch.forEach((item, i) => {
      const o = outcomes[i];
      if (o?.ok) item.resolve(o.result);
      else item.reject(o?.error);
    });
  }

  private async appendOne(conn: Kysely<KestrionDatabase>, req: AppendRequest): Promise<AppendResult> {
    const { runId, expectedSeq, rows } = req;
    const row = await conn
      .selectFrom('kestrion_runs')
      .selectAll()
      .where('run_id', '=', runId)
      .executeTakeFirst();
    const prev = row && toRunRecord(row);
    if (req.lease) assertLeaseCurrent(prev, req.lease);
    const head = prev?.headSeq ?? 0;
    if (head !== expectedSeq) {
      await resolveHeadMismatch(conn, rows, expectedSeq, prev?.headSeq, runId);
      return { headSeq: head, events: decodeRows(runId, rows, this.registry), duplicate: true };
    }
    if (rows.length === 0) return { headSeq: head, events: [], duplicate: false };
    const events = decodeRows(runId, rows, this.registry);
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT)
      await conn
        .insertInto('kestrion_events')
        .values(rows.slice(i, i + ROWS_PER_INSERT).map(toEventsRow))
        .execute();
    const next = toRunsRow(projectRunRecord(prev, events));
    if (prev) await conn.updateTable('kestrion_runs').set(next).where('run_id', '=', runId).execute();
    else await conn.insertInto('kestrion_runs').values(next).execute();
    return { headSeq: head + rows.length, events, duplicate: false };
  }
}
