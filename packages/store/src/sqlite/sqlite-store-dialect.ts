import type Database from 'better-sqlite3';
import type { ClaimRequest, EventRegistry, Lease, AppendResult, RunMetadata } from '@kestrion/core';
import type { Kysely, RawBuilder, SqlBool } from 'kysely';
import type { KestrionDatabase } from '../schema';
import type { AppendRequest, StoreDialect } from '../store-dialect';
import { SqliteAppender } from './sqlite-appender';
import { SqliteLeaseOperations } from './sqlite-lease-operations';
import { SqliteSnapshotWrites } from './sqlite-snapshot-writes';
import type { SqliteStoreConfig } from './sqlite-config';
import { DRIVER_BUSY_TIMEOUT_MS, retryWhileBusy, retryWhileBusyFromNow } from './sqlite-busy-retry';
import { busyTimeoutOf, openSqliteDatabase } from './sqlite-connection';
import { type SqliteErrorContext, translateSqliteError, vanishedFileError } from './sqlite-errors';
import { SqliteFileIdentity } from './sqlite-file-identity';
import type { KyselyConnectionGate } from './kysely-connection-gate';
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
  private readonly kyselyGate: KyselyConnectionGate = { held: false };
  private readonly appender: SqliteAppender;
  readonly leases: SqliteLeaseOperations;
  readonly snapshots: SqliteSnapshotWrites;
  readonly reads: SqliteReads;

  private readonly at: SqliteErrorContext;

  constructor(config: SqliteStoreConfig, registry: EventRegistry) {
    this.database = openSqliteDatabase(config);
    this.at = { filename: config.filename, busyTimeoutMs: busyTimeoutOf(config) };
    const identity = new SqliteFileIdentity(config.filename);
    const exclusive = <T>(work: () => T): T | Promise<T> => this.exclusive(work);
    this.appender = new SqliteAppender(
      exclusive,
      this.database,
      registry,
      (e, r, s) => this.translateError(e, r, s),
      config.maxBatch ?? 500,
      this.at.busyTimeoutMs,
      (committed) => {
        const problem = identity.problem();
        return problem ? vanishedFileError(config.filename, problem, committed) : undefined;
      },
    );
    this.leases = new SqliteLeaseOperations(this.appender);
    this.snapshots = new SqliteSnapshotWrites(this.appender);
    this.reads = new SqliteReads(this.database, <T>(read: () => T) =>
      retryWhileBusyFromNow(() => this.exclusive(read), this.at.busyTimeoutMs),
    );
  }

  /**
   * Open and migrated: from now on SQLite gives up on a lock after DRIVER_BUSY_TIMEOUT_MS and
   * the store waits for it asynchronously, up to the busy timeout, so a lock held by another
   * process never freezes this one's event loop.
   */
  opened(): void {
    this.database.pragma(`busy_timeout = ${Math.min(DRIVER_BUSY_TIMEOUT_MS, this.at.busyTimeoutMs)}`);
  }

  retryingLocks<T>(write: () => Promise<T>): Promise<T> {
    return retryWhileBusy(write, this.at.busyTimeoutMs);
  }

  /** Kysely on the same handle, created on first use. */
  get db(): Kysely<KestrionDatabase> {
    return (this.kysely ??= loadSqliteKysely().createSqliteKysely(this.database, this.kyselyGate));
  }

  /**
   * Runs `work` (synchronous statements) when no kysely transaction is open on the handle, so a
   * transaction kysely runs across awaits (a purge, a claim) never sees a write or read of ours
   * in the middle, nor we its half. While kysely's connection is free that is now, in this
   * tick; while kysely holds it, `work` waits its turn for the connection. (Asking kysely for the
   * connection every time, free or not, cost each append a Kysely instance, a mutex round and
   * two awaits once any listing or claim had loaded kysely: a worker's every append.)
   */
  private exclusive<T>(work: () => T): T | Promise<T> {
    if (!this.kysely || !this.kyselyGate.held) return work();
    return this.kysely.connection().execute(async () => work());
  }

  append(request: AppendRequest): Promise<AppendResult> {
    return this.appender.append(request);
  }

  claimNext(req: ClaimRequest, statuses: string[] | undefined): Promise<Lease | undefined> {
    // Untranslated inside, so a busy BEGIN IMMEDIATE is retried (the claim wrote nothing).
    return this.retryingLocks(() =>
      loadSqliteKysely().claimNextWithKysely(this.db, req, statuses, (e) => e),
    ).catch((e: unknown) => Promise.reject(this.translateError(e)));
  }

  metadataMatches(filter: RunMetadata): RawBuilder<SqlBool> {
    return loadSqliteKysely().sqliteMetadataMatches(filter);
  }

  translateError(err: unknown, runId?: string, expectedSeq?: number): unknown {
    return translateSqliteError(err, this.at, runId, expectedSeq);
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
