import type { RunRecord } from '@kestrion/core';
import { type Kysely, sql } from 'kysely';
import { readRunRecord } from './read-run';
import type { EventsTable, KestrionDatabase, SnapshotsTable } from './schema';

/**
 * The fixed reads every start, approve and resume makes, as each dialect runs them fastest.
 * Everything else (listing, purging, claiming, migrating) is built with kysely.
 */
export interface StoreReads {
  /** Up to `limit` events of the run from `fromSeq` on, in seq order. */
  eventsPage(runId: string, fromSeq: number, limit: number): Promise<EventsTable[]>;
  /** The run's newest snapshot of `foldVersion` (at or below `maxSeq` when given). */
  latestSnapshot(runId: string, foldVersion: number, maxSeq?: number): Promise<SnapshotsTable | undefined>;
  run(runId: string): Promise<RunRecord | undefined>;
  /** The newest migration applied, or undefined on a database that has none yet. */
  migrationHead(): Promise<string | undefined>;
}

/** The reads as kysely queries (PostgreSQL). */
export class KyselyReads implements StoreReads {
  constructor(private readonly db: Kysely<KestrionDatabase>) {}

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
      }>`select max(name) as name from kestrion_migration`.execute(this.db);
      return rows[0]?.name ?? undefined;
    } catch {
      return undefined; // no migration table yet: a fresh database
    }
  }
}
