import { type Lease, type LeaseRequest, type RunRecord, TERMINAL_STATUSES } from '@kestrion/core';
import type { Kysely } from 'kysely';
import { assertLeaseCurrent } from '@kestrion/core/store-kit';
import { refusedAcquire } from '../append-checks';
import type { KestrionDatabase } from '../schema';
import type { LeaseOperations } from '../store-dialect';
import { readRunRecord } from './postgres-read-run';

/** Leases as plain statements, each its own transaction (PostgreSQL). */
export class PostgresLeaseOperations implements LeaseOperations {
  constructor(
    private readonly db: Kysely<KestrionDatabase>,
    private readonly translateError: (err: unknown, runId?: string) => unknown,
  ) {}

  async acquire(runId: string, req: LeaseRequest): Promise<Lease> {
    const expiresAtMs = req.now + req.ttlMs;
    const row = await this.db
      .updateTable('kestrion_runs')
      .set((eb) => ({
        lease_owner: req.owner,
        lease_epoch: eb('lease_epoch', '+', 1),
        lease_expires_at_ms: expiresAtMs,
      }))
      .where('run_id', '=', runId)
      .where('status', 'not in', [...TERMINAL_STATUSES])
      .where((eb) =>
        eb.or([
          eb('lease_owner', 'is', null),
          eb('lease_owner', '=', req.owner),
          eb('lease_expires_at_ms', '<=', req.now),
        ]),
      )
      .returning(['lease_epoch', 'head_seq', 'created_at'])
      .executeTakeFirst()
      .catch((e: unknown) => Promise.reject(this.translateError(e, runId)));
    if (row)
      return {
        runId,
        owner: req.owner,
        epoch: Number(row.lease_epoch),
        expiresAtMs,
        headSeq: Number(row.head_seq),
        runCreatedAt: row.created_at,
      };
    throw refusedAcquire(runId, await this.readRun(runId));
  }

  async renew(lease: Lease, req: Omit<LeaseRequest, 'owner'>): Promise<Lease> {
    const expiresAtMs = req.now + req.ttlMs;
    const result = await this.db
      .updateTable('kestrion_runs')
      .set({ lease_expires_at_ms: expiresAtMs })
      .where('run_id', '=', lease.runId)
      .where('lease_owner', '=', lease.owner)
      .where('lease_epoch', '=', lease.epoch)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) return { ...lease, expiresAtMs };
    assertLeaseCurrent(await this.readRun(lease.runId), lease);
    return { ...lease, expiresAtMs };
  }

  async release(lease: Lease): Promise<void> {
    await this.db
      .updateTable('kestrion_runs')
      .set({ lease_owner: null, lease_expires_at_ms: null })
      .where('run_id', '=', lease.runId)
      .where('lease_owner', '=', lease.owner)
      .where('lease_epoch', '=', lease.epoch)
      .execute();
  }

  private readRun(runId: string): Promise<RunRecord | undefined> {
    return readRunRecord(this.db, runId);
  }
}
