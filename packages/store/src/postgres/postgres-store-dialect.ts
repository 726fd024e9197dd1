import {
  type AppendResult,
  type ClaimRequest,
  type EventRegistry,
  type Lease,
  type RunMetadata,
  TERMINAL_STATUSES,
} from '@kestrion/core';
import { Kysely, PostgresDialect, type PostgresPool, type RawBuilder, type SqlBool, sql } from 'kysely';
import { Pool } from 'pg';
import type { KestrionDatabase } from '../schema';
import type { AppendRequest, StoreDialect } from '../store-dialect';
import { PostgresAppender } from './postgres-appender';
import { borrowedPool } from './postgres-borrowed-pool';
import type { PgPool, PostgresStoreConfig } from './postgres-config';
import { postgresTables, type PostgresTables } from './postgres-tables';
import { translatePostgresError } from './postgres-errors';
import { PostgresLeaseOperations } from './postgres-lease-operations';
import { PostgresReads } from './postgres-reads';
import { PostgresSnapshotWrites } from './postgres-snapshot-writes';

export class PostgresStoreDialect implements StoreDialect {
  readonly name = 'postgres' as const;
  readonly db: Kysely<KestrionDatabase>;
  /** Where the tables are (bare names, or qualified by the configured schema). */
  readonly tables: PostgresTables;
  readonly schema: string | undefined;
  private readonly pool: PgPool;
  private readonly appender: PostgresAppender;
  readonly leases: PostgresLeaseOperations;
  readonly snapshots: PostgresSnapshotWrites;
  readonly reads: PostgresReads;

  constructor(config: PostgresStoreConfig, registry: EventRegistry) {
    this.tables = postgresTables(config.schema);
    this.schema = config.schema;
    this.pool = config.pool ? borrowedPool(config.pool) : ownPool(config);
    const db = new Kysely<KestrionDatabase>({
      dialect: new PostgresDialect({ pool: this.pool as unknown as PostgresPool }),
    });
    // Queries built with kysely name the schema through its plugin; the raw statements use
    // this.tables. Neither touches the connection's search_path.
    this.db = config.schema === undefined ? db : db.withSchema(config.schema);
    this.appender = new PostgresAppender(this.db, this.pool, registry, this.tables);
    this.leases = new PostgresLeaseOperations(this.db, (e, runId) => this.translateError(e, runId));
    this.snapshots = new PostgresSnapshotWrites(this.db, this.tables);
    this.reads = new PostgresReads(this.db, this.tables);
  }

  async append(request: AppendRequest): Promise<AppendResult> {
    try {
      return await this.appender.append(request);
    } catch (error) {
      this.appender.forget(request.runId);
      throw this.translateError(error, request.runId, request.expectedSeq);
    }
  }

  /**
   * The next claimable run (see ClaimRequest: runnable or due, highest priority, then oldest),
   * skipping rows another claim has locked. With a per-key limit, claims take a transaction
   * advisory lock first, so two claims never both count the same key below its limit.
   */
  async claimNext(req: ClaimRequest, statuses: string[] | undefined): Promise<Lease | undefined> {
    const expiresAtMs = req.now + req.ttlMs;
    const now = req.now;
    const limit = req.concurrencyKeyLimit;
    const runs = sql.raw(this.tables.runs);
    const claim = sql<{ run_id: string; lease_epoch: number }>`
        with candidate as (
          select run_id from ${runs} r
          where (runnable = 1 or next_due_at_ms <= ${now})
            and status not in (${sql.join(TERMINAL_STATUSES)})
            ${statuses ? sql`and status in (${sql.join(statuses)})` : sql``}
            and (lease_owner is null or lease_expires_at_ms <= ${now})
            ${req.agents ? sql`and agent in (${sql.join(req.agents)})` : sql``}
            ${
              limit === undefined
                ? sql``
                : sql`and (concurrency_key is null or (select count(*) from ${runs} k
                    where k.concurrency_key = r.concurrency_key and k.lease_owner is not null
                      and k.lease_expires_at_ms > ${now}) < ${limit})`
            }
          order by priority desc, created_at
          limit 1
          for update skip locked
        )
        update ${runs} r
        set lease_owner = ${req.owner}, lease_epoch = r.lease_epoch + 1, lease_expires_at_ms = ${expiresAtMs}
        from candidate where r.run_id = candidate.run_id
        returning r.run_id, r.lease_epoch`;
    try {
      const { rows } =
        limit === undefined
          ? await claim.execute(this.db)
          : await this.db.transaction().execute(async (trx) => {
              await sql`select pg_advisory_xact_lock(hashtext(${`kestrion_claim:${this.tables.runs}`}))`.execute(
                trx,
              );
              return claim.execute(trx);
            });
      const row = rows[0];
      return row && { runId: row.run_id, owner: req.owner, epoch: Number(row.lease_epoch), expiresAtMs };
    } catch (error) {
      throw this.translateError(error);
    }
  }

  /** jsonb containment, which the GIN index of migration 0005 serves. */
  metadataMatches(filter: RunMetadata): RawBuilder<SqlBool> {
    return sql<SqlBool>`metadata @> ${JSON.stringify(filter)}::jsonb`;
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

/** The pool of a store opened by URL: the store made it, and ends it on close. */
function ownPool(config: PostgresStoreConfig): PgPool {
  const pool = new Pool({ connectionString: config.connectionString, max: config.maxConnections ?? 10 });
  // A client whose backend was terminated emits 'error'. An idle one is dropped by the pool
  // (which re-emits on the pool); a checked-out one between queries (kysely holds one from
  // connect to release) has no listener of the pool's, and an 'error' with no listener kills
  // the process. Every client gets one for its whole life: the failed query (or the next one
  // on that client) rejects with the error instead, and the pool drops the client on release.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}
