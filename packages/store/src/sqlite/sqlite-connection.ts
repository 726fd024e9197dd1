import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import { ConfigurationError } from '@kestrion/core';
import { requiringDriver } from '../optional-driver';
import type { SqliteStoreConfig } from './sqlite-config';

/** The store's busy timeout: how long a write waits in all for another connection's lock. */
export function busyTimeoutOf(config: SqliteStoreConfig): number {
  return config.busyTimeoutMs ?? 5000;
}

let addon: { nativeBinding?: string } | undefined;
let driver: typeof Database | undefined;

/** better-sqlite3, an optional peer dependency: required on the first SQLite open, not before. */
function sqliteDriver(): typeof Database {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (driver ??= requiringDriver('better-sqlite3', () => require('better-sqlite3') as typeof Database));
}

/**
 * better-sqlite3's addon where its install builds or downloads it. Left to itself it asks the
 * `bindings` package, which tries ~13 paths on the first open in every process (~1 ms of start-up);
 * an unusual build (Debug, custom path) still falls back to that search.
 */
function addonOption(): { nativeBinding?: string } {
  if (addon) return addon;
  try {
    const file = join(
      dirname(require.resolve('better-sqlite3/package.json')),
      'build',
      'Release',
      'better_sqlite3.node',
    );
    addon = existsSync(file) ? { nativeBinding: file } : {};
  } catch {
    addon = {};
  }
  return addon;
}

/**
 * Opens the database file with Kestrion's defaults: WAL (readers never block the writer),
 * synchronous=FULL unless the caller opted into NORMAL, and a busy timeout so writers from
 * several processes queue instead of failing. The whole busy timeout applies inside SQLite
 * while the store opens and migrates; once open, the store waits for locks asynchronously
 * (see SqliteStoreDialect.opened).
 */
export function openSqliteDatabase(config: SqliteStoreConfig): Database.Database {
  const SqliteDatabase = sqliteDriver();
  let db: Database.Database;
  try {
    db = new SqliteDatabase(config.filename, addonOption());
  } catch (error) {
    // better-sqlite3 says only "the directory does not exist" or the like, without the path.
    throw new ConfigurationError(
      `cannot open the SQLite database ${JSON.stringify(config.filename)}: ${(error as Error).message}; ` +
        'check the path in the store URL (its directory must exist and be writable)',
      { cause: error },
    );
  }
  if (config.filename !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${config.synchronous ?? 'FULL'}`);
  db.pragma(`busy_timeout = ${busyTimeoutOf(config)}`);
  return db;
}
