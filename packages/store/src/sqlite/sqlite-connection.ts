import Database from 'better-sqlite3';
import type { SqliteStoreConfig } from './sqlite-config';

/**
 * Opens the database file with Kestrion's defaults: WAL (readers never block the writer),
 * synchronous=FULL unless the caller opted into NORMAL, and a busy timeout so writers from
 * several processes queue instead of failing.
 */
export function openSqliteDatabase(config: SqliteStoreConfig): Database.Database {
  const db = new Database(config.filename);
  if (config.filename !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${config.synchronous ?? 'FULL'}`);
  db.pragma(`busy_timeout = ${config.busyTimeoutMs ?? 5000}`);
  return db;
}
