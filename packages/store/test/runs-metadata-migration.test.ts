import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '@kestrion/store';
import { createTestDatabase, type TestDatabase } from '@kestrion/testing';
import { Kysely, type Migration, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { Pool } from 'pg';
import { migrations } from '../src/migrations';

/** The database as the release before run metadata left it: migrated to 0004, one run in it. */
async function before0005(db: Kysely<unknown>): Promise<void> {
  const { error } = await new Migrator({
    db,
    provider: { getMigrations: async () => migrations as Record<string, Migration> },
    migrationTableName: 'kestrion_migration',
    migrationLockTableName: 'kestrion_migration_lock',
  }).migrateTo('0004_runs_scheduling_fields');
  if (error) throw error;
  const at = '2026-01-01T00:00:00.000Z';
  await sql`insert into kestrion_events (run_id, seq, event_id, type, v, at, data, cost)
    values ('old-run', 1, 'e1', 'run.started', 1, ${at}, ${'{"agent":"old","input":"hi"}'}, null)`.execute(
    db,
  );
  await sql`insert into kestrion_runs (run_id, status, waiting_reason, head_seq, agent, parent_run_id,
      pending_approvals, created_at, updated_at, lease_owner, lease_epoch, lease_expires_at_ms,
      approval_deadlines, next_due_at_ms, waiting_on_run, runnable)
    values ('old-run', 'pending', null, 1, 'old', null, 0, ${at}, ${at}, null, 0, null, '{}', null, null, 1)`.execute(
    db,
  );
}

async function expectUpgraded(url: string): Promise<void> {
  const store = await openStore(url);
  try {
    expect((await store.getRun('old-run'))?.metadata).toEqual({});
    expect((await store.listRuns({ metadata: {} })).runs.map((r) => r.runId)).toEqual(['old-run']);
    expect((await store.listRuns({ metadata: { tenant: 'acme' } })).runs).toEqual([]);
    await store.append('old-run', 1, [
      { id: 'e2', type: 'run.completed', at: '2026-01-01T00:00:01.000Z', data: { output: 'ok' } },
    ]);
    await store.append('new-run', 0, [
      {
        id: 'n1',
        type: 'run.started',
        at: '2026-01-02T00:00:00.000Z',
        data: { agent: 'new', input: 'hi', metadata: { tenant: 'acme' } },
      },
    ]);
    expect(await store.getRun('old-run')).toMatchObject({ status: 'completed', metadata: {} });
    expect((await store.listRuns({ metadata: { tenant: 'acme' } })).runs.map((r) => r.runId)).toEqual([
      'new-run',
    ]);
  } finally {
    await store.close();
  }
}

describe('migration 0005_runs_metadata on a database from before it', () => {
  it('SQLite: gives old runs empty metadata, filterable and appendable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kestrion-0005-'));
    try {
      const file = join(dir, 'old.db');
      const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(file) }) });
      await before0005(db);
      await db.destroy();
      await expectUpgraded(`sqlite://${file}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('PostgreSQL: gives old runs empty metadata, filterable and appendable', async () => {
    const pg: TestDatabase = await createTestDatabase('kestrion_0005');
    try {
      const db = new Kysely<unknown>({
        dialect: new PostgresDialect({ pool: new Pool({ connectionString: pg.url, max: 1 }) }),
      });
      await before0005(db);
      await db.destroy();
      await expectUpgraded(pg.url);
    } finally {
      await pg.drop();
    }
  });
});
