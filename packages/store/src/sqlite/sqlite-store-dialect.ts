import {
  ConcurrencyError,
  type ClaimRequest,
  type EventRegistry,
  type Lease,
  StoreError,
  type AppendResult,
} from '@kestrion/core';
import { Kysely, SqliteAdapter, SqliteDialect, sql } from 'kysely';
import type { KestrionDatabase } from '../schema';
import type { AppendRequest, StoreDialect } from '../store-dialect';
import { SqliteAppender } from './sqlite-appender';
import { SqliteLeaseOperations } from './sqlite-lease-operations';
import { SqliteSnapshotWrites } from './sqlite-snapshot-writes';
import type { SqliteStoreConfig } from './sqlite-config';
import { openSqliteDatabase } from './sqlite-connection';
import { withStatementCache } from './sqlite-statement-cache';

/**
 * Kysely's SQLite adapter takes no migration lock (one connection per process). Several
 * processes opening one file at once need one: BEGIN IMMEDIATE holds SQLite's write lock
 * for the whole migration.
 */
class LockingSqliteAdapter extends SqliteAdapter {
  override async acquireMigrationLock(db: Kysely<unknown>): Promise<void> {
    await sql`begin immediate`.execute(db);
  }
  override async releaseMigrationLock(db: Kysely<unknown>): Promise<void> {
    await sql`commit`.execute(db);
  }
}

class KestrionSqliteDialect extends SqliteDialect {
  override createAdapter(): SqliteAdapter {
    return new LockingSqliteAdapter();
  }
}

export class SqliteStoreDialect implements StoreDialect {
  readonly name = 'sqlite' as const;
  readonly db: Kysely<KestrionDatabase>;
  private readonly appender: SqliteAppender;
  readonly leases: SqliteLeaseOperations;
  readonly snapshots: SqliteSnapshotWrites;

  constructor(config: SqliteStoreConfig, registry: EventRegistry) {
    const database = openSqliteDatabase(config);
    this.db = new Kysely<KestrionDatabase>({
      dialect: new KestrionSqliteDialect({ database: withStatementCache(database) }),
    });
    this.appender = new SqliteAppender(
      this.db,
      database,
      registry,
      (e, r, s) => this.translateError(e, r, s),
      config.maxBatch ?? 500,
    );
    this.leases = new SqliteLeaseOperations(this.appender);
    this.snapshots = new SqliteSnapshotWrites(this.appender);
  }

  append(request: AppendRequest): Promise<AppendResult> {
    return this.appender.append(request);
  }

  async claimNext(req: ClaimRequest, statuses: string[]): Promise<Lease | undefined> {
    return this.db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const candidate = await conn
          .selectFrom('kestrion_runs')
          .select(['run_id'])
          .where('status', 'in', statuses)
          .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_expires_at_ms', '<=', req.now)]))
          .orderBy('updated_at')
          .limit(1)
          .executeTakeFirst();
        let lease: Lease | undefined;
        if (candidate) {
          const expiresAtMs = req.now + req.ttlMs;
          const row = await conn
            .updateTable('kestrion_runs')
            .set((eb) => ({
              lease_owner: req.owner,
              lease_epoch: eb('lease_epoch', '+', 1),
              lease_expires_at_ms: expiresAtMs,
            }))
            .where('run_id', '=', candidate.run_id)
            .returning(['lease_epoch'])
            .executeTakeFirstOrThrow();
          lease = { runId: candidate.run_id, owner: req.owner, epoch: Number(row.lease_epoch), expiresAtMs };
        }
        await sql`commit`.execute(conn);
        return lease;
      } catch (error) {
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw this.translateError(error);
      }
    });
  }

  translateError(err: unknown, runId?: string, expectedSeq?: number): unknown {
    const code = (err as { code?: unknown })?.code;
    if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return err;
    if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE')
      return new ConcurrencyError(runId ?? '?', expectedSeq ?? -1, undefined, { cause: err });
    return new StoreError(`SQLite: ${(err as Error).message}`, {
      cause: err,
      retryable: code.startsWith('SQLITE_BUSY'),
    });
  }

  async destroy(): Promise<void> {
    await this.db.destroy();
  }
}
