import type { Lease, LeaseRequest } from '@kestrion/core';
import { assertLeaseCurrent } from '@kestrion/core/store-kit';
import { refusedAcquire } from '../append-checks';
import type { LeaseOperations } from '../store-dialect';
import type { SqliteAppender } from './sqlite-appender';

/**
 * Leases go through the same write queue as appends: many resumes starting at once take their
 * leases in one transaction, and the queue's cache of runs rows stays valid (a lease written
 * beside it would move `total_changes()` and empty the cache).
 */
export class SqliteLeaseOperations implements LeaseOperations {
  constructor(private readonly writer: SqliteAppender) {}

  acquire(runId: string, req: LeaseRequest): Promise<Lease> {
    const expiresAtMs = req.now + req.ttlMs;
    return this.writer.write({
      runId,
      multiStatement: false,
      run: (tx) => {
        const row = tx.statements.acquireLease(runId, req.owner, expiresAtMs, req.now);
        if (!row) throw refusedAcquire(runId, tx.currentRun(runId));
        tx.wrote(row);
        return {
          runId,
          owner: req.owner,
          epoch: row.leaseEpoch,
          expiresAtMs,
          headSeq: row.headSeq,
          runCreatedAt: row.createdAt,
        };
      },
    });
  }

  renew(lease: Lease, req: Omit<LeaseRequest, 'owner'>): Promise<Lease> {
    const expiresAtMs = req.now + req.ttlMs;
    return this.writer.write({
      runId: lease.runId,
      multiStatement: false,
      run: (tx) => {
        const row = tx.statements.renewLease(lease.runId, lease.owner, lease.epoch, expiresAtMs);
        if (!row) assertLeaseCurrent(tx.currentRun(lease.runId), lease);
        else tx.wrote(row);
        return { ...lease, expiresAtMs };
      },
    });
  }

  release(lease: Lease): Promise<void> {
    return this.writer.write({
      runId: lease.runId,
      multiStatement: false,
      run: (tx) => {
        const row = tx.statements.releaseLease(lease.runId, lease.owner, lease.epoch);
        if (row) tx.wrote(row);
      },
    });
  }
}
