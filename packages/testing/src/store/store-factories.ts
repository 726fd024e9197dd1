import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryStore, type RawEventRow, type Store } from '@kestrion/core';
import { type KyselyStore, openStore } from '@kestrion/store';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../postgres/test-database';
import type { Corruption, StoreFactory, StoreOpenOptions } from './store-factory';

async function corruptKysely(store: Store, runId: string, seq: number, kind: Corruption): Promise<void> {
  const db = (store as KyselyStore).dialect.db;
  const where = sql`run_id = ${runId} and seq = ${seq}`;
  if (kind === 'gap') await sql`delete from kestrion_events where ${where}`.execute(db);
  if (kind === 'garbage')
    await sql`update kestrion_events set data = ${'{"truncated'} where ${where}`.execute(db);
  if (kind === 'future-version') await sql`update kestrion_events set v = 99 where ${where}`.execute(db);
}

function notShared(kind: string): () => string {
  return () => {
    throw new Error(`${kind} cannot be opened by another process`);
  };
}

export function inMemoryStoreFactory(): StoreFactory {
  return {
    shared: false,
    url: notShared('InMemoryStore'),
    open: async (o: StoreOpenOptions = {}) => new InMemoryStore(o),
    async corrupt(store, runId, seq, kind) {
      // The fake keeps rows privately; reaching in is the point of a corruption test.
      const rows = (store as unknown as { rows: Map<string, RawEventRow[]> }).rows.get(runId) ?? [];
      const i = rows.findIndex((r) => r.seq === seq);
      const row = rows[i];
      if (!row) return;
      if (kind === 'gap') rows.splice(i, 1);
      else rows[i] = kind === 'garbage' ? { ...row, data: '{"truncated' } : { ...row, v: 99 };
    },
  };
}

export function sqliteMemoryStoreFactory(): StoreFactory {
  return {
    shared: false,
    url: notShared('sqlite::memory:'),
    open: (o = {}) => openStore('sqlite::memory:', o),
    corrupt: corruptKysely,
  };
}

/** One SQLite file in a fresh temp dir, shared by every store (and process) the suite opens. */
export function sqliteFileStoreFactory(): StoreFactory {
  const dir = mkdtempSync(join(tmpdir(), 'kestrion-sqlite-'));
  const url = `sqlite://${join(dir, 'store.db')}`;
  return {
    shared: true,
    url: () => url,
    open: (o = {}) => openStore(url, o),
    corrupt: corruptKysely,
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fresh database on the real PostgreSQL server, created in setup and dropped afterwards. */
export function postgresStoreFactory(): StoreFactory {
  let db: TestDatabase | undefined;
  const url = () => {
    if (!db) throw new Error('postgresStoreFactory: setup() has not run');
    return db.url;
  };
  return {
    shared: true,
    url,
    setup: async () => {
      db = await createTestDatabase('kestrion_store');
    },
    open: (o = {}) => openStore(url(), o),
    corrupt: corruptKysely,
    dispose: async () => db?.drop(),
  };
}
