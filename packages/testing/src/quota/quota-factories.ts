import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryQuotaStore, type QuotaStore } from '@kestrion/core';
import { openStore, quotaStoreFor } from '@kestrion/store';
import { createTestDatabase, type TestDatabase } from '../postgres/test-database';

/** One connection to a quota store: its own database connection (or pool) where there is one. */
export interface QuotaConnection {
  quota: QuotaStore;
  close(): Promise<void>;
}

/**
 * What the quota contract needs from an implementation: connections to one shared quota
 * store. Each `connect()` of a shared store opens a new database connection, so the suite's
 * concurrent reservers race as separate processes would.
 */
export interface QuotaStoreFactory {
  /** Runs once before the suite (create a database, a temp dir). */
  setup?(): Promise<void>;
  connect(): Promise<QuotaConnection>;
  /** A store URL that `openStore` + `quotaStoreFor` in another process open onto the same buckets. */
  url?(): string;
  /** Called once after the suite. */
  dispose?(): Promise<void>;
}

/** Core's InMemoryQuotaStore: every connection is the same object (one process). */
export function inMemoryQuotaFactory(): QuotaStoreFactory {
  const quota = new InMemoryQuotaStore();
  return { connect: async () => ({ quota, close: async () => undefined }) };
}

async function storeConnection(url: string): Promise<QuotaConnection> {
  const store = await openStore(url);
  return { quota: quotaStoreFor(store), close: () => store.close() };
}

/** One SQLite file in a fresh temp dir; each connection is its own better-sqlite3 handle. */
export function sqliteFileQuotaFactory(): QuotaStoreFactory {
  const dir = mkdtempSync(join(tmpdir(), 'kestrion-quota-'));
  const url = `sqlite://${join(dir, 'quota.db')}`;
  return {
    url: () => url,
    connect: () => storeConnection(url),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fresh database on the PostgreSQL test server; each connection is its own pool. */
export function postgresQuotaFactory(): QuotaStoreFactory {
  let db: TestDatabase | undefined;
  const url = (): string => {
    if (!db) throw new Error('postgresQuotaFactory: setup() has not run');
    return db.url;
  };
  return {
    setup: async () => {
      db = await createTestDatabase('kestrion_quota');
    },
    url,
    connect: () => storeConnection(url()),
    dispose: async () => db?.drop(),
  };
}
