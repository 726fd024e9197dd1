import type { Snapshot } from '@kestrion/core';
import type { SnapshotWrites } from '../store-dialect';
import type { SqliteAppender } from './sqlite-appender';

/**
 * Snapshots go through the write queue like appends: many runs parking at once save theirs in
 * one transaction, and the queue's cache of runs rows stays valid (a snapshot written beside
 * it would move `total_changes()` and empty the cache for every run).
 */
export class SqliteSnapshotWrites implements SnapshotWrites {
  constructor(private readonly writer: SqliteAppender) {}

  save(s: Snapshot): Promise<void> {
    const state = JSON.stringify(s.state);
    return this.writer.write({
      runId: s.runId,
      multiStatement: true,
      run: (tx) => tx.statements.saveSnapshot(s.runId, s.foldVersion, s.seq, state),
    });
  }
}
