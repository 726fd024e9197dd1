// @kestrion/store — the public API.
export { openStore, DEFAULT_STORE_URL } from './open-store';
export type { OpenStoreOptions } from './open-store';
export { KyselyStore } from './kysely-store';
export type { StoreDialect, AppendRequest } from './store-dialect';
export type { SqliteStoreConfig, SqliteSynchronous } from './sqlite/sqlite-config';
export type { PostgresStoreConfig } from './postgres/postgres-config';
export type { KestrionDatabase } from './schema';
export { postgresWakeups, RUNNABLE_CHANNEL } from './postgres/postgres-wakeups';
export type { PostgresWakeupsOptions } from './postgres/postgres-wakeups';
