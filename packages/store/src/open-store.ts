import {
  ConfigurationError,
  defaultEventRegistry,
  KestrionError,
  StoreError,
  type EventRegistry,
  type Redactor,
  type Store,
} from '@kestrion/core';
import { DEFAULT_MAX_EVENT_BYTES, scrubError, scrubSecrets, urlPassword } from '@kestrion/core/store-kit';
import type { Kysely } from 'kysely';
import { KyselyStore } from './kysely-store';
import type { PostgresStoreDialect } from './postgres/postgres-store-dialect';
import { requiringDriver } from './optional-driver';
import { LATEST_MIGRATION } from './schema-version';
import type { SqliteSynchronous } from './sqlite/sqlite-config';
import { SqliteStoreDialect } from './sqlite/sqlite-store-dialect';
import type { StoreDialect } from './store-dialect';

export interface OpenStoreOptions {
  registry?: EventRegistry;
  /** Largest serialized event payload accepted (default 1 MiB). */
  maxEventBytes?: number;
  /** Runs on every event before it is written: strip secrets here. */
  redact?: Redactor;
  /** SQLite only: `NORMAL` is the documented opt-in faster mode (default `FULL`). */
  synchronous?: SqliteSynchronous;
  /** PostgreSQL pool size (default 10). */
  maxConnections?: number;
}

export const DEFAULT_STORE_URL = 'sqlite://kestrion.db';

/**
 * Opens a store by URL and brings its schema up to date:
 * `sqlite://path/to/file.db`, `sqlite::memory:`, `postgres://user@host:5432/db`.
 * With no URL, `KESTRION_STORE` is used, else `./kestrion.db`.
 * SQLite URLs accept `?synchronous=NORMAL`. Returns the `Store` port: no driver or kysely type
 * reaches a caller's declarations (tests that need the database handle cast to `KyselyStore`).
 */
export async function openStore(url?: string, options: OpenStoreOptions = {}): Promise<Store> {
  const target = url ?? process.env.KESTRION_STORE ?? DEFAULT_STORE_URL;
  try {
    return await open(target, options);
  } catch (error) {
    throw scrubbedOpenError(error, target);
  }
}

async function open(target: string, options: OpenStoreOptions): Promise<KyselyStore> {
  const registry = options.registry ?? defaultEventRegistry();
  const dialect = createDialect(target, registry, options);
  try {
    await bringSchemaUpToDate(dialect);
  } catch (error) {
    await dialect.destroy().catch(() => undefined);
    throw error;
  }
  return new KyselyStore(dialect, {
    registry,
    maxEventBytes: options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
    ...(options.redact ? { redact: options.redact } : {}),
  });
}

/**
 * An error from opening a store never shows the URL's password (nor any other credential
 * shape): a Kestrion error is scrubbed in place, with its cause chain; anything else a driver
 * threw becomes a StoreError naming the scrubbed URL, its text scrubbed too.
 */
function scrubbedOpenError(error: unknown, url: string): unknown {
  const known = [urlPassword(url)];
  if (error instanceof KestrionError) return scrubError(error, known);
  const detail = error instanceof Error ? error.message : String(error);
  return new StoreError(scrubSecrets(`cannot open the store ${url}: ${detail}`, known), {
    cause: scrubError(error, known),
  });
}

function createDialect(url: string, registry: EventRegistry, options: OpenStoreOptions): StoreDialect {
  if (url === 'sqlite::memory:') return new SqliteStoreDialect({ filename: ':memory:' }, registry);
  if (url.startsWith('sqlite://')) {
    const [path = '', query = ''] = url.slice('sqlite://'.length).split('?');
    if (!path)
      throw new ConfigurationError(
        `store URL ${JSON.stringify(url)} has no file path; use sqlite://./kestrion.db`,
      );
    const sync =
      new URLSearchParams(query).get('synchronous')?.toUpperCase() ?? options.synchronous ?? 'FULL';
    if (sync !== 'FULL' && sync !== 'NORMAL')
      throw new ConfigurationError(`synchronous=${sync} is not supported; use FULL (default) or NORMAL`);
    return new SqliteStoreDialect({ filename: decodeURIComponent(path), synchronous: sync }, registry);
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://'))
    return new (loadPostgresDialect())(
      {
        connectionString: url,
        ...(options.maxConnections ? { maxConnections: options.maxConnections } : {}),
      },
      registry,
    );
  throw new ConfigurationError(
    `unsupported store URL ${JSON.stringify(url)}: use sqlite://path.db, sqlite::memory: or postgres://user@host:5432/db`,
  );
}

/**
 * The common case on open is a database with every migration applied: one query, and the
 * migrations (and, on SQLite, kysely) are not loaded at all. Otherwise the Migrator runs,
 * under a lock, so processes opening one database at once migrate it once.
 */
async function bringSchemaUpToDate(dialect: StoreDialect): Promise<void> {
  if ((await dialect.reads.migrationHead()) === LATEST_MIGRATION) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { migrateToLatest } = require('./migrations') as typeof import('./migrations');
  await migrateToLatest(dialect.db as unknown as Kysely<unknown>);
}

/**
 * The PostgreSQL dialect (and `pg`) load only when a postgres URL is opened: a process on
 * SQLite does not pay pg's start-up cost, nor need pg installed (an optional peer dependency;
 * missing, it is a ConfigurationError naming the install command).
 */
function loadPostgresDialect(): typeof PostgresStoreDialect {
  return requiringDriver(
    'pg',
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    () => require('./postgres/postgres-store-dialect') as typeof import('./postgres/postgres-store-dialect'),
  ).PostgresStoreDialect;
}
