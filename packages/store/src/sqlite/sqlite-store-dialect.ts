import type Database from 'better-sqlite3';
import {
  ConcurrencyError,
  type ClaimRequest,
  type EventRegistry,
  type Lease,
  StoreError,
  type AppendResult,
} from '@kestrion/core';
import type { Kysely } from 'kysely';
import type { KestrionDatabase } from '../schema';
import type { AppendRequest, StoreDialect } from '../store-dialect';
import { SqliteAppender } from './sqlite-appender';
import { SqliteLeaseOperations } from './sqlite-lease-operations';
import { SqliteSnapshotWrites } from './sqlite-snapshot-writes';
import type { SqliteStoreConfig } from './sqlite-config';
import { openSqliteDatabase } from './sqlite-connection';
import { SqliteReads } from './sqlite-reads';

type SqliteKyselyModule = typeof import('./sqlite-kysely');

/**
 * SQLite: writes go through one group-commit queue and the hot reads are prepared statements,
 * both on the better-sqlite3 handle; kysely (and its ~10 ms of loading) comes in only for what
 * is built per call — listing, purging, claiming, migrating a database that is behind.
 */
export class SqliteStoreDialect implements StoreDialect {
  readonly name = 'sqlite' as const;
  private readonly database: Database.Database;
  private kysely: Kysely<KestrionDatabase> | undefined;
  private readonly appender: SqliteAppender;
  readonly leases: SqliteLeaseOperations;
  readonly snapshots: SqliteSnapshotWrites;
  readonly reads: SqliteReads;

  constructor(config: SqliteStoreConfig, registry: EventRegistry) {
    this.database = openSqliteDatabase(config);
    const exclusive = <T>(work: () => T): T | Promise<T> => this.exclusive(work);
    this.appender = new SqliteAppender(
      exclusive,
      this.database,
      registry,
      (e, r, s) => this.translateError(e, r, s),
      config.maxBatch ?? 500,
    );
    this.leases = new SqliteLeaseOperations(this.appender);
    this.snapshots = new SqliteSnapshotWrites(this.appender);
    this.reads = new SqliteReads(this.database, exclusive);
  }

  /** Kysely on the same handle, created on first use. */
  get db(): Kysely<KestrionDatabase> {
    return (this.kysely ??= loadSqliteKysely().createSqliteKysely(this.database));
  }

  /**
   * Runs `work` (synchronous statements) when no kysely transaction is open on the handle: once
   * kysely exists, its connection is held for the duration, so a transaction it runs across
   * awaits (a purge) never sees a write or read of ours in the middle, nor we its half.
   */
  private exclusive<T>(work: () => T): T | Promise<T> {
    if (!this.kysely) return work();
    return this.kysely.connection().execute(async () => work());
  }

  append(request: AppendRequest): Promise<AppendResult> {
    return this.appender.append(request);
  }

  claimNext(req: ClaimRequest, statuses: string[]): Promise<Lease | undefined> {
    return loadSqliteKysely().claimNextWithKysely(this.db, req, statuses, (e) => this.translateError(e));
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
    if (this.kysely) await this.kysely.destroy();
    else this.database.close();
  }
}

function loadSqliteKysely(): SqliteKyselyModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./sqlite-kysely') as SqliteKyselyModule;
}
