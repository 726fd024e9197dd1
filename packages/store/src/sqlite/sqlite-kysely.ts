import type Database from 'better-sqlite3';
import type { ClaimRequest, Lease, RunMetadata } from '@kestrion/core';
import { Kysely, type RawBuilder, SqliteAdapter, SqliteDialect, type SqlBool, sql } from 'kysely';
import type { KestrionDatabase } from '../schema';
import { withStatementCache } from './sqlite-statement-cache';

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

class KestrionSqliteDialect extends SqliteDialect {
  override createAdapter(): SqliteAdapter {
    return new LockingSqliteAdapter();
  }
}

/** Kysely on the store's better-sqlite3 handle (statements prepared once per SQL text). */
export function createSqliteKysely(database: Database.Database): Kysely<KestrionDatabase> {
  return new Kysely<KestrionDatabase>({
    dialect: new KestrionSqliteDialect({ database: withStatementCache(database) }),
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

/** The oldest-updated claimable run, leased to `req.owner`, in one write transaction. */
export async function claimNextWithKysely(
  db: Kysely<KestrionDatabase>,
  req: ClaimRequest,
  statuses: string[],
  translateError: (err: unknown) => unknown,
): Promise<Lease | undefined> {
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const candidate = await conn
        .selectFrom('kestrion_runs')
        .select(['run_id'])
        .where('status', 'in', statuses)
        .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_expires_at_ms', '<=', req.now)]))
        .$if(req.agents !== undefined, (q) => q.where('agent', 'in', req.agents as string[]))
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
      throw translateError(error);
    }
  });
}
