import type { RunRecord } from '@kestrion/core';
import { type Kysely, sql } from 'kysely';
import type { EventsTable, KestrionDatabase, SnapshotsTable } from '../schema';
import type { StoreReads } from '../store-dialect';
import { readRunRecord } from './postgres-read-run';
import type { PostgresTables } from './postgres-tables';

/** The reads as kysely queries (PostgreSQL). */
export class PostgresReads implements StoreReads {
  constructor(
    private readonly db: Kysely<KestrionDatabase>,
    private readonly tables: PostgresTables,
  ) {}

  eventsPage(runId: string, fromSeq: number, limit: number): Promise<EventsTable[]> {
    return this.db
      .selectFrom('kestrion_events')
      .selectAll()
      .where('run_id', '=', runId)
      .where('seq', '>=', fromSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
  }

  latestSnapshot(runId: string, foldVersion: number, maxSeq?: number): Promise<SnapshotsTable | undefined> {
    let q = this.db
      .selectFrom('kestrion_snapshots')
      .selectAll()
      .where('run_id', '=', runId)
      .where('fold_version', '=', foldVersion);
    if (maxSeq !== undefined) q = q.where('seq', '<=', maxSeq);
    return q.orderBy('seq', 'desc').limit(1).executeTakeFirst();
  }

  run(runId: string): Promise<RunRecord | undefined> {
    return readRunRecord(this.db, runId);
  }

  async migrationHead(): Promise<string | undefined> {
    try {
      const { rows } = await sql<{
        name: string | null;
      }>`select max(name) as name from ${sql.raw(this.tables.migration)}`.execute(this.db);
      return rows[0]?.name ?? undefined;
    } catch {
      return undefined; // no migration table (or schema) yet: a fresh database
    }
  }
}
