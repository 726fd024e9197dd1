import { type Snapshot, SNAPSHOTS_KEPT } from '@kestrion/core';
import type { Kysely } from 'kysely';
import type { KestrionDatabase } from './schema';

/** Saving a snapshot, as each dialect commits it (see `Store.saveSnapshot` for the contract). */
export interface SnapshotWrites {
  save(snapshot: Snapshot): Promise<void>;
}

/** A kysely transaction per snapshot (PostgreSQL). */
export class KyselySnapshotWrites implements SnapshotWrites {
  constructor(private readonly db: Kysely<KestrionDatabase>) {}

  async save(s: Snapshot): Promise<void> {
    const state = JSON.stringify(s.state);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('kestrion_snapshots')
        .values({ run_id: s.runId, fold_version: s.foldVersion, seq: s.seq, state })
        .onConflict((oc) => oc.columns(['run_id', 'fold_version', 'seq']).doNothing())
        .execute();
      // Retention: snapshots are a cache; only the newest SNAPSHOTS_KEPT per fold version stay,
      // so a long run's database grows with its events, not with copies of its state.
      const keep = await trx
        .selectFrom('kestrion_snapshots')
        .select('seq')
        .where('run_id', '=', s.runId)
        .where('fold_version', '=', s.foldVersion)
        .orderBy('seq', 'desc')
        .limit(1)
        .offset(SNAPSHOTS_KEPT - 1)
        .executeTakeFirst();
      if (keep)
        await trx
          .deleteFrom('kestrion_snapshots')
          .where('run_id', '=', s.runId)
          .where('fold_version', '=', s.foldVersion)
          .where('seq', '<', keep.seq)
          .execute();
    });
  }
}
