import { ConfigurationError, type QuotaStore, type Store } from '@kestrion/core';
import type { Kysely } from 'kysely';
import { KyselyStore } from '../kysely-store';
import type { StoreDialect } from '../store-dialect';

type PostgresQuotaModule = typeof import('./postgres-quota-store');
type SqliteQuotaModule = typeof import('./sqlite-quota-store');

const opened = new WeakMap<Store, QuotaStore>();

/**
 * The shared QuotaStore in the database of `store` (opened by `openStore`): same file or
 * server, same connection or pool, the same lifetime (closing the store ends it). Every
 * process whose store opens the same database shares its buckets. Its tables come with the
 * store's migrations. In one process with `InMemoryStore`, use core's `InMemoryQuotaStore`.
 * The quota code (and kysely) loads on its first call, not with the store nor here.
 */
export function quotaStoreFor(store: Store): QuotaStore {
  if (!(store instanceof KyselyStore))
    throw new ConfigurationError(
      'quotaStoreFor(store) takes a store opened by openStore (SQLite or PostgreSQL); ' +
        'with an InMemoryStore, use new InMemoryQuotaStore() from @kestrion/core',
    );
  let quota = opened.get(store);
  if (quota === undefined) opened.set(store, (quota = onFirstUse(() => createQuotaStore(store.dialect))));
  return quota;
}

/** A QuotaStore made (its modules required) on its first call. */
function onFirstUse(create: () => QuotaStore): QuotaStore {
  let made: QuotaStore | undefined;
  const quota = (): QuotaStore => (made ??= create());
  return {
    reserve: (bucket, limits, request) => quota().reserve(bucket, limits, request),
    settle: (bucket, id, outcome) => quota().settle(bucket, id, outcome),
    release: (bucket, id, now) => quota().release(bucket, id, now),
    pause: (bucket, untilMs) => quota().pause(bucket, untilMs),
    usage: (bucket, now) => quota().usage(bucket, now),
  };
}

function createQuotaStore(dialect: StoreDialect): QuotaStore {
  const translate = (error: unknown): unknown => dialect.translateError(error);
  if (dialect.name === 'postgres') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PostgresQuotaStore } = require('./postgres-quota-store') as PostgresQuotaModule;
    const schema = (dialect as { schema?: string }).schema;
    return new PostgresQuotaStore(dialect.db as unknown as Kysely<unknown>, translate, schema);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SqliteQuotaStore } = require('./sqlite-quota-store') as SqliteQuotaModule;
  return new SqliteQuotaStore({
    // Kysely on the store's handle, created when the first reservation is made.
    get db() {
      return dialect.db as unknown as Kysely<unknown>;
    },
    retryingLocks: (write) => dialect.retryingLocks(write),
    translateError: translate,
  });
}
