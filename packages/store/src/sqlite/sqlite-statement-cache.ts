import type Database from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

const LIMIT = 256;

/**
 * The database handle kysely sees: `prepare` returns a statement prepared once per SQL text.
 * Kysely's SQLite driver prepares every query it runs; the hot queries (a run's events, its
 * newest snapshot, its row, its lease) have a fixed text, so preparing them again each time
 * was a third of the cost of a resume. The cache is bounded: dynamic queries (a list with a
 * variable number of statuses) cannot grow it without limit.
 */
export function withStatementCache(db: Database.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => db.close(),
    prepare(sql: string): SqliteStatement {
      let statement = cache.get(sql);
      if (!statement) {
        statement = db.prepare(sql) as unknown as SqliteStatement;
        if (cache.size >= LIMIT) cache.delete(cache.keys().next().value as string);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}
