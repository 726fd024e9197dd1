import type Database from 'better-sqlite3';
import type { RunRecord } from '@kestrion/core';
import { toRunRecord } from '../row-mapping';
import type { EventsTable, RunsTable, SnapshotsTable } from '../schema';
import type { StoreReads } from '../store-dialect';
import { NamedStatement } from './sqlite-named-statement';

/** Runs `read` when no other query of this store can be half-way through a transaction. */
export type Exclusive = <T>(read: () => T) => T | Promise<T>;

/**
 * The hot reads as statements prepared once on the better-sqlite3 handle: no query building
 * per call, and a process that only starts, approves and resumes runs never loads kysely.
 */
export class SqliteReads implements StoreReads {
  private statements: ReturnType<typeof prepare> | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly exclusive: Exclusive,
  ) {}

  // Prepared on first use: a statement cannot be prepared before the schema exists.
  private get s() {
    return (this.statements ??= prepare(this.db));
  }

  async eventsPage(runId: string, fromSeq: number, limit: number): Promise<EventsTable[]> {
    return this.exclusive(() => this.s.events.all({ runId, fromSeq, limit }));
  }

  async latestSnapshot(
    runId: string,
    foldVersion: number,
    maxSeq?: number,
  ): Promise<SnapshotsTable | undefined> {
    return this.exclusive(() =>
      maxSeq === undefined
        ? this.s.snapshot.get({ runId, foldVersion })
        : this.s.snapshotAtMost.get({ runId, foldVersion, maxSeq }),
    );
  }

  async run(runId: string): Promise<RunRecord | undefined> {
    const row = await this.exclusive(() => this.s.run.get({ runId }));
    return row && toRunRecord(row);
  }

  async migrationHead(): Promise<string | undefined> {
    try {
      const row = this.db.prepare('select max(name) as name from kestrion_migration').get() as
        { name: string | null } | undefined;
      return row?.name ?? undefined;
    } catch {
      return undefined; // no migration table yet: a fresh database
    }
  }
}

function prepare(db: Database.Database) {
  return {
    events: new NamedStatement<EventsTable>(
      db,
      'select * from kestrion_events where run_id = @runId and seq >= @fromSeq order by seq limit @limit',
    ),
    snapshot: new NamedStatement<SnapshotsTable>(
      db,
      'select * from kestrion_snapshots where run_id = @runId and fold_version = @foldVersion order by seq desc limit 1',
    ),
    snapshotAtMost: new NamedStatement<SnapshotsTable>(
      db,
      'select * from kestrion_snapshots where run_id = @runId and fold_version = @foldVersion and seq <= @maxSeq order by seq desc limit 1',
    ),
    run: new NamedStatement<RunsTable>(db, 'select * from kestrion_runs where run_id = @runId'),
  };
}
