import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryStore, type RunRecord, type Store } from '@kestrion/core';
import type { RawEventRow } from '@kestrion/core/store-kit';
import { type KyselyStore, openStore } from '@kestrion/store';
import { sql } from 'kysely';
import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '../postgres/test-database';
import type { Corruption, StoreFactory, StoreOpenOptions } from './store-factory';

/** A table of the store, in its PostgreSQL schema when it has one (raw SQL is not qualified for us). */
function tableOf(store: Store, name: string) {
  const schema = (store as KyselyStore).dialect.schema;
  return sql.table(schema === undefined ? name : `${schema}.${name}`);
}

async function corruptKysely(store: Store, runId: string, seq: number, kind: Corruption): Promise<void> {
  const db = (store as KyselyStore).dialect.db;
  const events = tableOf(store, 'kestrion_events');
  const where = sql`run_id = ${runId} and seq = ${seq}`;
  if (kind === 'gap') await sql`delete from ${events} where ${where}`.execute(db);
  if (kind === 'garbage') await sql`update ${events} set data = ${'{"truncated'} where ${where}`.execute(db);
  if (kind === 'future-version') await sql`update ${events} set v = 99 where ${where}`.execute(db);
}

async function corruptKyselySnapshots(store: Store, runId: string, stateText: string): Promise<void> {
  const db = (store as KyselyStore).dialect.db;
  const snapshots = tableOf(store, 'kestrion_snapshots');
  await sql`update ${snapshots} set state = ${stateText} where run_id = ${runId}`.execute(db);
}

async function renameKyselyRun(store: Store, runId: string, newRunId: string): Promise<void> {
  const db = (store as KyselyStore).dialect.db;
  for (const table of ['kestrion_events', 'kestrion_snapshots', 'kestrion_runs'])
    await sql`update ${tableOf(store, table)} set run_id = ${newRunId} where run_id = ${runId}`.execute(db);
}

/** The fake's private maps, reached into on purpose by the corruption helpers. */
interface InMemoryInternals {
  rows: Map<string, RawEventRow[]>;
  runs: Map<string, RunRecord>;
  eventIds: Map<string, Set<string>>;
  snapshots: Map<string, Array<{ seq: number; foldVersion: number; json: string }>>;
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
    async corruptSnapshots(store, runId, stateText) {
      const internals = store as unknown as InMemoryInternals;
      for (const snap of internals.snapshots.get(runId) ?? []) {
        const { state: _state, ...rest } = JSON.parse(snap.json) as Record<string, unknown>;
        snap.json = `${JSON.stringify(rest).slice(0, -1)},"state":${stateText}}`;
      }
    },
    async renameRun(store, runId, newRunId) {
      const internals = store as unknown as InMemoryInternals;
      const rows = internals.rows.get(runId) ?? [];
      internals.rows.set(
        newRunId,
        rows.map((r) => ({ ...r, runId: newRunId })),
      );
      const run = internals.runs.get(runId);
      if (run) internals.runs.set(newRunId, { ...run, runId: newRunId });
      internals.eventIds.set(newRunId, internals.eventIds.get(runId) ?? new Set());
      internals.snapshots.set(newRunId, internals.snapshots.get(runId) ?? []);
      for (const map of [internals.rows, internals.runs, internals.eventIds, internals.snapshots])
        map.delete(runId);
    },
  };
}

export function sqliteMemoryStoreFactory(): StoreFactory {
  return {
    shared: false,
    url: notShared('sqlite::memory:'),
    open: (o = {}) => openStore('sqlite::memory:', o),
    corrupt: corruptKysely,
    corruptSnapshots: corruptKyselySnapshots,
    renameRun: renameKyselyRun,
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
    corruptSnapshots: corruptKyselySnapshots,
    renameRun: renameKyselyRun,
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface PostgresFactoryOptions {
  /**
   * Open every store on this PostgreSQL schema, through one pg pool the factory makes and owns
   * (`openStore({ pool, schema })`): each store closed by the suite must leave the pool usable.
   * Other processes open by URL only, so the multi-process tests are skipped.
   */
  schemaThroughPool?: string;
}

/** A fresh database on the real PostgreSQL server, created in setup and dropped afterwards. */
export function postgresStoreFactory(options: PostgresFactoryOptions = {}): StoreFactory {
  let db: TestDatabase | undefined;
  let pool: Pool | undefined;
  const url = () => {
    if (!db) throw new Error('postgresStoreFactory: setup() has not run');
    return db.url;
  };
  const schema = options.schemaThroughPool;
  return {
    shared: schema === undefined,
    url,
    setup: async () => {
      db = await createTestDatabase('kestrion_store');
      if (schema !== undefined) {
        pool = new Pool({ connectionString: db.url, max: 10 });
        // As an application must: an idle client whose backend is terminated (a failover, an
        // administrator) emits 'error' on the pool, and an unheard 'error' ends the process.
        // (A CI run saw one terminated mid-suite, from outside the test.)
        pool.on('error', () => undefined);
      }
    },
    open: (o = {}) => (pool ? openStore({ ...o, pool, schema }) : openStore(url(), o)),
    corrupt: corruptKysely,
    corruptSnapshots: corruptKyselySnapshots,
    renameRun: renameKyselyRun,
    dispose: async () => {
      await pool?.end();
      await db?.drop();
    },
  };
}
