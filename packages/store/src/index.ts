// @kestrion/store — the public API.
export { openStore, migrateStore, DEFAULT_STORE_URL } from './open-store';
export type { OpenStoreOptions, StoreTarget, MigrationReport } from './open-store';
export { SchemaVersionError } from './schema-version-error';
export { KyselyStore } from './kysely-store';
export { quotaStoreFor } from './quota/quota-store-for';
export type { StoreDialect, AppendRequest } from './store-dialect';
export type { SqliteStoreConfig, SqliteSynchronous } from './sqlite/sqlite-config';
export type { PostgresStoreConfig, PgPool, PgPoolClient } from './postgres/postgres-config';
export type { KestrionDatabase } from './schema';
export { postgresWakeups, RUNNABLE_CHANNEL } from './postgres/postgres-wakeups';
export type { PostgresWakeupsOptions, PostgresWakeupsConnection } from './postgres/postgres-wakeups';
