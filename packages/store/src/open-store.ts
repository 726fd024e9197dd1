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
import type { PgPool } from './postgres/postgres-config';
import type { PostgresStoreDialect } from './postgres/postgres-store-dialect';
import { SchemaVersionError } from './schema-version-error';
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
  /** PostgreSQL pool size (default 10) of a pool the store makes from a URL. */
  maxConnections?: number;
  /**
   * PostgreSQL only: the schema Kestrion's tables live in, created when migrating. Stores on
   * different schemas of one database see nothing of each other. Default: none (the
   * connection's search_path, normally `public`).
   */
  schema?: string;
  /**
   * `false`: never change the database on open. Opening then only checks that the schema is
   * the one this version needs and otherwise fails with `SchemaVersionError` (current and
   * needed versions, how to migrate); migrate explicitly with `migrateStore`. Default `true`:
   * a database that is behind is migrated on open.
   */
  migrate?: boolean;
}

/**
 * Where a store is, as one object: a URL, or a `pg.Pool` the application made and owns
 * (PostgreSQL), with the options. `openStore({ pool, schema: 'kestrion', migrate: false })`.
 */
export interface StoreTarget extends OpenStoreOptions {
  /** As `openStore`'s first argument (default `KESTRION_STORE`, else `sqlite://kestrion.db`). */
  url?: string;
  /**
   * A pg pool (`new Pool(...)` of pg 8, typed structurally). The store runs its queries on it
   * without changing its connections' search_path, and closing the store leaves it open: it is
   * the application's to end.
   */
  pool?: PgPool;
}

export const DEFAULT_STORE_URL = 'sqlite://kestrion.db';

/**
 * Opens a store and brings its schema up to date (unless `migrate: false`):
 * `sqlite://path/to/file.db`, `sqlite::memory:`, `postgres://user@host:5432/db`, or
 * `openStore({ pool, schema })` on a pg pool of the application's.
 * With no URL, `KESTRION_STORE` is used, else `./kestrion.db`.
 * SQLite URLs accept `?synchronous=NORMAL`. Returns the `Store` port, disposable
 * (`await using store = await openStore(...)` closes it): no driver or kysely type reaches a
 * caller's declarations (tests that need the database handle cast to `KyselyStore`).
 */
export async function openStore(url?: string, options?: OpenStoreOptions): Promise<Store & AsyncDisposable>;
export async function openStore(target: StoreTarget): Promise<Store & AsyncDisposable>;
export async function openStore(
  first?: string | StoreTarget,
  options: OpenStoreOptions = {},
): Promise<Store & AsyncDisposable> {
  const target = storeTarget(first, options);
  try {
    return await open(target);
  } catch (error) {
    throw scrubbedOpenError(error, target.url ?? '');
  }
}

/** What `migrateStore` did. */
export interface MigrationReport {
  /** The newest migration applied before the call; null for a database without Kestrion tables. */
  from: string | null;
  /** The newest migration applied now: the one this version of @kestrion/store needs. */
  to: string;
  /** The migrations this call applied, oldest first; empty when the database was up to date. */
  applied: string[];
}

/**
 * Brings a store's schema up to date and closes what it opened (never a pool passed in): the
 * explicit step for deployments whose services open their store with `migrate: false`. Takes
 * what `openStore` takes. Safe to run from several processes at once (migrations take a lock).
 * A database migrated by a newer Kestrion is refused with `SchemaVersionError`.
 */
export async function migrateStore(url?: string, options?: OpenStoreOptions): Promise<MigrationReport>;
export async function migrateStore(target: StoreTarget): Promise<MigrationReport>;
export async function migrateStore(
  first?: string | StoreTarget,
  options: OpenStoreOptions = {},
): Promise<MigrationReport> {
  const target = storeTarget(first, options);
  try {
    const dialect = createDialect(target, target.registry ?? defaultEventRegistry());
    try {
      const head = (await dialect.reads.migrationHead()) ?? null;
      if (head !== null && head > LATEST_MIGRATION)
        throw new SchemaVersionError(head, LATEST_MIGRATION, describeTarget(target));
      const applied = head === LATEST_MIGRATION ? [] : await migrate(dialect);
      return { from: head, to: LATEST_MIGRATION, applied };
    } finally {
      await dialect.destroy().catch(() => undefined);
    }
  } catch (error) {
    throw scrubbedOpenError(error, target.url ?? '');
  }
}

/** One shape for both call forms; the URL defaulted unless a pool is given. */
function storeTarget(first: string | StoreTarget | undefined, options: OpenStoreOptions): StoreTarget {
  const target: StoreTarget = typeof first === 'object' ? first : { ...options, url: first };
  if (target.url !== undefined && target.pool !== undefined)
    throw new ConfigurationError('openStore was given both a url and a pool; pass one of them');
  if (target.pool !== undefined) return target;
  return { ...target, url: target.url ?? process.env.KESTRION_STORE ?? DEFAULT_STORE_URL };
}

/** How errors name the store: its URL (passwords are scrubbed later), or the pool, and the schema. */
function describeTarget(target: StoreTarget): string {
  const at = target.pool !== undefined ? 'on the pool passed in' : JSON.stringify(target.url);
  return target.schema === undefined ? at : `${at} (schema ${JSON.stringify(target.schema)})`;
}

async function open(target: StoreTarget): Promise<KyselyStore> {
  const registry = target.registry ?? defaultEventRegistry();
  const dialect = createDialect(target, registry);
  try {
    await bringSchemaUpToDate(dialect, target);
  } catch (error) {
    await dialect.destroy().catch(() => undefined);
    throw error;
  }
  const options = target;
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

function createDialect(target: StoreTarget, registry: EventRegistry): StoreDialect {
  const options = target;
  if (target.pool !== undefined) {
    if (target.maxConnections !== undefined)
      throw new ConfigurationError(
        'maxConnections sizes a pool the store makes from a URL; size the pool you pass in (new Pool({ max }))',
      );
    return new (loadPostgresDialect())(
      { pool: target.pool, ...(target.schema !== undefined ? { schema: target.schema } : {}) },
      registry,
    );
  }
  const url = target.url ?? DEFAULT_STORE_URL;
  if (url.startsWith('sqlite:') && target.schema !== undefined)
    throw new ConfigurationError(
      `schema ${JSON.stringify(target.schema)} is for PostgreSQL; a SQLite file holds one store, so give each store its own file`,
    );
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
        ...(options.schema !== undefined ? { schema: options.schema } : {}),
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
 * under a lock, so processes opening one database at once migrate it once — unless the store
 * was opened with `migrate: false`, or the database is ahead of this version: then nothing is
 * changed and the open fails with SchemaVersionError.
 */
async function bringSchemaUpToDate(dialect: StoreDialect, target: StoreTarget): Promise<void> {
  const head = await dialect.reads.migrationHead();
  if (head === LATEST_MIGRATION) return;
  if ((head !== undefined && head > LATEST_MIGRATION) || target.migrate === false)
    throw new SchemaVersionError(head ?? null, LATEST_MIGRATION, describeTarget(target));
  await migrate(dialect);
}

function migrate(dialect: StoreDialect): Promise<string[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { migrateToLatest } = require('./migrations') as typeof import('./migrations');
  return migrateToLatest(dialect.db as unknown as Kysely<unknown>, dialect.schema);
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
