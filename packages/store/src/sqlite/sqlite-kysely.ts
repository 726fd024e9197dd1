import type Database from 'better-sqlite3';
import { type ClaimRequest, type Lease, type RunMetadata, TERMINAL_STATUSES } from '@kestrion/core';
import {
  type DatabaseConnection,
  type Driver,
  Kysely,
  type RawBuilder,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  type SqlBool,
  sql,
} from 'kysely';
import type { KestrionDatabase } from '../schema';
import type { KyselyConnectionGate } from './kysely-connection-gate';
import { withStatementCache } from './sqlite-statement-cache';

const ENDED_STATUSES: readonly string[] = TERMINAL_STATUSES;

// Everything of the SQLite store that needs kysely's runtime, loaded on first use only (see
// SqliteStoreDialect.db): starting, approving and resuming runs never get here.

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

/** Kysely's SQLite driver, telling `gate` while one of kysely's queries or transactions holds the connection. */
class GatedSqliteDriver extends SqliteDriver {
  constructor(
    config: SqliteDialectConfig,
    private readonly gate: KyselyConnectionGate,
  ) {
    super(config);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    this.gate.held = true;
    return connection;
  }

  override async releaseConnection(): Promise<void> {
    this.gate.held = false;
    await super.releaseConnection();
  }
}

class KestrionSqliteDialect extends SqliteDialect {
  constructor(
    private readonly sqliteConfig: SqliteDialectConfig,
    private readonly gate: KyselyConnectionGate,
  ) {
    super(sqliteConfig);
  }

  override createAdapter(): SqliteAdapter {
    return new LockingSqliteAdapter();
  }

  override createDriver(): Driver {
    return new GatedSqliteDriver(this.sqliteConfig, this.gate);
  }
}

/**
 * Kysely on the store's better-sqlite3 handle (statements prepared once per SQL text); `gate`
 * says when kysely holds the handle's one connection.
 */
export function createSqliteKysely(
  database: Database.Database,
  gate: KyselyConnectionGate,
): Kysely<KestrionDatabase> {
  return new Kysely<KestrionDatabase>({
    dialect: new KestrionSqliteDialect({ database: withStatementCache(database) }, gate),
  });
}

/**
 * The run's metadata holds every entry of `filter`: one `exists` over json_each per entry, so a
 * key of any spelling is compared as data, never built into a JSON path.
 */
export function sqliteMetadataMatches(filter: RunMetadata): RawBuilder<SqlBool> {
  const entries = Object.entries(filter).map(
    ([key, value]) =>
      sql<SqlBool>`exists (select 1 from json_each(kestrion_runs.metadata) where key = ${key} and value = ${value})`,
  );
  return sql<SqlBool>`(${sql.join(entries, sql` and `)})`;
}

/**
 * The next claimable run (see ClaimRequest: runnable or due, highest priority, then oldest),
 * leased to `req.owner`, in one write transaction — which also makes the per-key count exact:
 * SQLite has one writer at a time.
 */
export async function claimNextWithKysely(
  db: Kysely<KestrionDatabase>,
  req: ClaimRequest,
  statuses: string[] | undefined,
  translateError: (err: unknown) => unknown,
): Promise<Lease | undefined> {
  const now = req.now;
  const limit = req.concurrencyKeyLimit;
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      // The first condition is the claim index's own predicate, written out so SQLite uses it.
      const { rows } = await sql<{ run_id: string }>`
        select run_id from kestrion_runs r
        where (runnable = 1 or next_due_at_ms is not null)
          and (runnable = 1 or next_due_at_ms <= ${now})
          and status not in (${sql.join(ENDED_STATUSES)})
          ${statuses ? sql`and status in (${sql.join(statuses)})` : sql``}
          and (lease_owner is null or lease_expires_at_ms <= ${now})
          ${req.agents ? sql`and agent in (${sql.join(req.agents)})` : sql``}
          ${
            limit === undefined
              ? sql``
              : sql`and (concurrency_key is null or (select count(*) from kestrion_runs k
                  where k.concurrency_key = r.concurrency_key and k.lease_owner is not null
                    and k.lease_expires_at_ms > ${now}) < ${limit})`
          }
        order by priority desc, created_at
        limit 1`.execute(conn);
      const candidate = rows[0];
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
      throw translateError(error);
    }
  });
}
