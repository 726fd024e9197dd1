import type { AppendResult, ClaimRequest, EventRegistry, Lease } from '@kestrion/core';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Pool } from 'pg';
import type { KestrionDatabase } from '../schema';
import type { AppendRequest, StoreDialect } from '../store-dialect';
import { PostgresAppender } from './postgres-appender';
import type { PostgresStoreConfig } from './postgres-config';
import { translatePostgresError } from './postgres-errors';
import { PostgresLeaseOperations } from './postgres-lease-operations';
import { PostgresReads } from './postgres-reads';
import { PostgresSnapshotWrites } from './postgres-snapshot-writes';

export class PostgresStoreDialect implements StoreDialect {
  readonly name = 'postgres' as const;
  readonly db: Kysely<KestrionDatabase>;
  private readonly pool: Pool;
  private readonly appender: PostgresAppender;
  readonly leases: PostgresLeaseOperations;
  readonly snapshots: PostgresSnapshotWrites;
  readonly reads: PostgresReads;

  constructor(config: PostgresStoreConfig, registry: EventRegistry) {
    this.pool = new Pool({ connectionString: config.connectionString, max: config.maxConnections ?? 10 });
    // A client whose backend was terminated emits 'error'. An idle one is dropped by the pool
    // (which re-emits on the pool); a checked-out one between queries (kysely holds one from
    // connect to release) has no listener of the pool's, and an 'error' with no listener kills
    // the process. Every client gets one for its whole life: the failed query (or the next one
    // on that client) rejects with the error instead, and the pool drops the client on release.
    this.pool.on('error', () => undefined);
    this.pool.on('connect', (client) => client.on('error', () => undefined));
    this.db = new Kysely<KestrionDatabase>({ dialect: new PostgresDialect({ pool: this.pool }) });
    this.appender = new PostgresAppender(this.db, this.pool, registry);
    this.leases = new PostgresLeaseOperations(this.db, (e, runId) => this.translateError(e, runId));
    this.snapshots = new PostgresSnapshotWrites(this.db);
    this.reads = new PostgresReads(this.db);
  }

  async append(request: AppendRequest): Promise<AppendResult> {
    try {
      return await this.appender.append(request);
    } catch (error) {
      this.appender.forget(request.runId);
      throw this.translateError(error, request.runId, request.expectedSeq);
    }
  }

  async claimNext(req: ClaimRequest, statuses: string[]): Promise<Lease | undefined> {
    const expiresAtMs = req.now + req.ttlMs;
    try {
      const { rows } = await sql<{ run_id: string; lease_epoch: number }>`
        with candidate as (
          select run_id from kestrion_runs
          where status in (${sql.join(statuses)})
            and (lease_owner is null or lease_expires_at_ms <= ${req.now})
            ${req.agents ? sql`and agent in (${sql.join(req.agents)})` : sql``}
          order by updated_at
          limit 1
          for update skip locked
        )
        update kestrion_runs r
        set lease_owner = ${req.owner}, lease_epoch = r.lease_epoch + 1, lease_expires_at_ms = ${expiresAtMs}
        from candidate where r.run_id = candidate.run_id
        returning r.run_id, r.lease_epoch`.execute(this.db);
      const row = rows[0];
      return row && { runId: row.run_id, owner: req.owner, epoch: Number(row.lease_epoch), expiresAtMs };
    } catch (error) {
      throw this.translateError(error);
    }
  }

  retryingLocks<T>(write: () => Promise<T>): Promise<T> {
    return write(); // PostgreSQL waits for row locks on the server, without blocking this process
  }

  translateError(err: unknown, runId?: string, expectedSeq?: number): unknown {
    return translatePostgresError(err, runId, expectedSeq);
  }

  async destroy(): Promise<void> {
    await this.db.destroy();
  }
}
