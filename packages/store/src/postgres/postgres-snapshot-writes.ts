import type { Snapshot } from '@kestrion/core';
import { SNAPSHOTS_KEPT } from '@kestrion/core/store-kit';
import { type Kysely, sql } from 'kysely';
import type { KestrionDatabase } from '../schema';
import type { SnapshotWrites } from '../store-dialect';
import type { PostgresTables } from './postgres-tables';

/**
 * One statement per snapshot (PostgreSQL): a run parks with one round trip for its snapshot,
 * not five (BEGIN, insert, find the cut, delete, COMMIT).
 *
 * Retention: snapshots are a cache; only the newest SNAPSHOTS_KEPT per fold version stay, so a
 * long run's database grows with its events, not with copies of its state. The statement's
 * parts share one view of the table (the new row is not visible to the delete), so the cut is
 * taken over the stored seqs plus the new one, and a snapshot older than the cut is not
 * inserted at all.
 */
export class PostgresSnapshotWrites implements SnapshotWrites {
  constructor(
    private readonly db: Kysely<KestrionDatabase>,
    private readonly tables: PostgresTables,
  ) {}

  async save(s: Snapshot): Promise<void> {
    const state = JSON.stringify(s.state);
    const snapshots = sql.raw(this.tables.snapshots);
    await sql`
      with kept as (
        select seq from (
          select seq from ${snapshots} where run_id = ${s.runId} and fold_version = ${s.foldVersion}
          union select ${s.seq}::int
        ) candidates
        order by seq desc limit ${SNAPSHOTS_KEPT}
      ), cut as (select min(seq) as seq from kept), saved as (
        insert into ${snapshots} (run_id, fold_version, seq, state)
        select ${s.runId}, ${s.foldVersion}, ${s.seq}, ${state} from cut where ${s.seq}::int >= cut.seq
        on conflict (run_id, fold_version, seq) do nothing
      )
      delete from ${snapshots}
      where run_id = ${s.runId} and fold_version = ${s.foldVersion} and seq < (select seq from cut)`.execute(
      this.db,
    );
  }
}
