import { ConfigurationError, type NewEvent, type Store } from '@kestrion/core';
import { migrateStore, openStore, SchemaVersionError } from '@kestrion/store';
import { createTestDatabase, type TestDatabase } from '@kestrion/testing';
import { Migrator, type Migration, Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import { MIGRATION_NAMES, migrations } from '../src/migrations';
import { LATEST_MIGRATION } from '../src/schema-version';

let db: TestDatabase;
let pool: Pool;
const opened: Store[] = [];

beforeAll(async () => {
  db = await createTestDatabase('kestrion_pool_schema');
  pool = new Pool({ connectionString: db.url, max: 4 });
});
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  await pool.end();
  await db.drop();
});

async function open(...args: Parameters<typeof openStore>): Promise<Store> {
  const s = await openStore(...args);
  opened.push(s);
  return s;
}

const started = (agent: string): NewEvent => ({
  id: `evt-${Math.random()}`,
  type: 'run.started',
  at: new Date().toISOString(),
  data: { agent, input: 'hi' },
});

/** The tables of `schema` as PostgreSQL lists them. */
async function tablesIn(schema: string): Promise<string[]> {
  const { rows } = await pool.query<{ table_name: string }>(
    'select table_name from information_schema.tables where table_schema = $1 order by table_name',
    [schema],
  );
  return rows.map((r) => r.table_name);
}

async function schemaExists(schema: string): Promise<boolean> {
  const { rows } = await pool.query('select 1 from pg_namespace where nspname = $1', [schema]);
  return rows.length === 1;
}

describe('a PostgreSQL store on a pool and schema of the application', () => {
  it('creates its tables in the schema, leaves public empty and never changes the pool search_path', async () => {
    const before = (await pool.query<{ search_path: string }>('show search_path')).rows[0]?.search_path;
    const s = await open({ pool, schema: 'iso_a' });
    await s.append('r1', 0, [started('a')]);
    expect(await tablesIn('iso_a')).toEqual(
      expect.arrayContaining([
        'kestrion_events',
        'kestrion_migration',
        'kestrion_migration_lock',
        'kestrion_runs',
        'kestrion_snapshots',
      ]),
    );
    expect((await tablesIn('public')).filter((t) => t.startsWith('kestrion_'))).toEqual([]);
    // Every connection of the pool (4, all checked out at once) still has the default path.
    const clients = await Promise.all([1, 2, 3, 4].map(() => pool.connect()));
    try {
      for (const c of clients)
        expect((await c.query<{ search_path: string }>('show search_path')).rows[0]?.search_path).toBe(
          before,
        );
    } finally {
      for (const c of clients) c.release();
    }
  });

  it('keeps two stores on two schemas of one database apart: the same run id twice, lists, claims', async () => {
    const a = await open({ pool, schema: 'iso_b1' });
    const b = await open({ pool, schema: 'iso_b2' });
    await a.append('same-id', 0, [started('agent-a')]);
    await b.append('same-id', 0, [started('agent-b')]);
    await a.append('only-a', 0, [started('agent-a')]);
    expect((await a.getRun('same-id'))?.agent).toBe('agent-a');
    expect((await b.getRun('same-id'))?.agent).toBe('agent-b');
    expect((await a.listRuns()).runs.map((r) => r.runId).sort()).toEqual(['only-a', 'same-id']);
    expect((await b.listRuns()).runs.map((r) => r.runId)).toEqual(['same-id']);
    expect(await b.getRun('only-a')).toBeUndefined();
    const claim = await b.claimNext({ owner: 'w', ttlMs: 60_000, now: Date.now() });
    expect(claim?.runId).toBe('same-id');
    expect(await b.claimNext({ owner: 'w', ttlMs: 60_000, now: Date.now() })).toBeUndefined();
    // b's claim leased b's run only.
    expect((await a.getRun('same-id'))?.leaseOwner).toBeNull();
    await b.saveSnapshot({ runId: 'same-id', seq: 1, foldVersion: 1, state: { x: 1 } as never });
    expect(await a.loadSnapshot('same-id', 1)).toBeUndefined();
    await a.purgeRun('same-id');
    expect(await b.getRun('same-id')).toBeDefined();
  });

  it('shares one connection between schemas without mixing their prepared statements', async () => {
    const one = new Pool({ connectionString: db.url, max: 1 });
    try {
      const a = await openStore({ pool: one, schema: 'iso_c1' });
      const b = await openStore({ pool: one, schema: 'iso_c2' });
      // Alternating appends run the three append shapes of both schemas on the one connection.
      for (let i = 0; i < 3; i++) {
        await a.append(`r${i}`, 0, [started('a')]);
        await b.append(`r${i}`, 0, [started('b')]);
        await a.append(`r${i}`, 1, [{ ...started('a'), type: 'acme:note', data: {} }]);
        await b.append(`r${i}`, 1, [{ ...started('b'), type: 'acme:note', data: {} }]);
      }
      expect((await a.listRuns()).runs.map((r) => [r.agent, r.headSeq])).toEqual([
        ['a', 2],
        ['a', 2],
        ['a', 2],
      ]);
      expect((await b.listRuns()).runs.every((r) => r.agent === 'b' && r.headSeq === 2)).toBe(true);
      await a.close();
      await b.close();
    } finally {
      await one.end();
    }
  });

  it('closing the store (twice, or with await using) leaves the pool it was given open', async () => {
    {
      await using s = await openStore({ pool, schema: 'iso_d' });
      await s.append('r', 0, [started('d')]);
    }
    const s = await openStore({ pool, schema: 'iso_d' });
    await s.close();
    await s.close();
    expect((await pool.query<{ n: number }>('select 1 as n')).rows[0]?.n).toBe(1);
    expect(pool.ending).toBe(false);
    const again = await open({ pool, schema: 'iso_d' });
    expect((await again.getRun('r'))?.agent).toBe('d');
  });
});

describe('migrate: false and migrateStore', () => {
  it('refuses to open a schema that was never migrated, naming both versions and the fix, and creates nothing', async () => {
    const refused = await openStore({ pool, schema: 'fresh_e', migrate: false }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(SchemaVersionError);
    expect(refused).toBeInstanceOf(ConfigurationError);
    expect(refused).toMatchObject({ current: null, needed: LATEST_MIGRATION });
    expect((refused as Error).message).toMatch(
      new RegExp(
        `schema none \\(no Kestrion tables\\), and this version of @kestrion/store needs ${LATEST_MIGRATION}; it was opened with migrate: false, so nothing was changed\\. Migrate it first: await migrateStore`,
      ),
    );
    expect(await schemaExists('fresh_e')).toBe(false);
  });

  it('migrates explicitly with migrateStore, after which migrate: false opens; a second run applies nothing', async () => {
    const report = await migrateStore({ pool, schema: 'explicit_f' });
    expect(report).toEqual({ from: null, to: LATEST_MIGRATION, applied: [...MIGRATION_NAMES] });
    expect(pool.ending).toBe(false); // migrateStore closes only what it opened
    const s = await open({ pool, schema: 'explicit_f', migrate: false });
    await s.append('r', 0, [started('f')]);
    expect((await s.getRun('r'))?.headSeq).toBe(1);
    expect(await migrateStore({ pool, schema: 'explicit_f' })).toEqual({
      from: LATEST_MIGRATION,
      to: LATEST_MIGRATION,
      applied: [],
    });
  });

  it('migrates by URL too, into the default schema when none is named', async () => {
    const other = await createTestDatabase('kestrion_migrate_url');
    try {
      const report = await migrateStore(other.url);
      expect(report.applied).toEqual([...MIGRATION_NAMES]);
      const s = await openStore(other.url, { migrate: false });
      await s.close();
    } finally {
      await other.drop();
    }
  });

  it('names the version a database stopped at when it is behind, and leaves it there', async () => {
    const older = MIGRATION_NAMES[MIGRATION_NAMES.length - 2] as string;
    await migrateSchemaTo('behind_g', older);
    await expect(openStore({ pool, schema: 'behind_g', migrate: false })).rejects.toMatchObject({
      current: older,
      needed: LATEST_MIGRATION,
      message: expect.stringContaining(`is at schema ${older}, and this version of @kestrion/store needs`),
    });
    const { rows } = await pool.query<{ name: string }>(
      'select max(name) as name from behind_g.kestrion_migration',
    );
    expect(rows[0]?.name).toBe(older);
    // The default (migrate on open) brings it up to date.
    const s = await open({ pool, schema: 'behind_g' });
    expect((await s.listRuns()).runs).toEqual([]);
  });

  it('refuses a database a newer Kestrion migrated, whether or not it may migrate', async () => {
    await migrateStore({ pool, schema: 'ahead_h' });
    await pool.query(
      "insert into ahead_h.kestrion_migration (name, timestamp) values ('9999_from_the_future', '2030-01-01T00:00:00.000Z')",
    );
    for (const migrate of [true, false]) {
      const refused = await openStore({ pool, schema: 'ahead_h', migrate }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(SchemaVersionError);
      expect((refused as Error).message).toMatch(
        `is at schema 9999_from_the_future, newer than ${LATEST_MIGRATION}, the newest this version of @kestrion/store knows; upgrade @kestrion/store`,
      );
    }
    await expect(migrateStore({ pool, schema: 'ahead_h' })).rejects.toBeInstanceOf(SchemaVersionError);
  });

  it('refuses setups it cannot honour with a ConfigurationError naming the fix', async () => {
    const cases: Array<[Promise<unknown>, RegExp]> = [
      [openStore({ pool, schema: 'bad-name' }), /schema "bad-name" is not a plain PostgreSQL identifier/],
      [openStore({ pool, schema: 'pg_mine' }), /not starting with a digit or pg_/],
      [
        openStore('sqlite::memory:', { schema: 'x' }),
        /schema "x" is for PostgreSQL; a SQLite file holds one store/,
      ],
      [openStore({ url: db.url, pool }), /both a url and a pool; pass one of them/],
      [openStore({ pool, maxConnections: 3 }), /maxConnections sizes a pool the store makes from a URL/],
    ];
    for (const [opening, message] of cases) {
      const refused = await opening.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(ConfigurationError);
      expect((refused as Error).message).toMatch(message);
    }
  });
});

/** A schema migrated only up to `name`, as an older Kestrion left it. */
async function migrateSchemaTo(schema: string, name: string): Promise<void> {
  await pool.query(`create schema ${schema}`);
  const k = new Kysely<unknown>({
    dialect: new PostgresDialect({
      pool: new Pool({ connectionString: db.url, max: 1, options: `-c search_path=${schema}` }),
    }),
  });
  try {
    const { error } = await new Migrator({
      db: k,
      provider: { getMigrations: async () => migrations as Record<string, Migration> },
      migrationTableName: 'kestrion_migration',
      migrationLockTableName: 'kestrion_migration_lock',
      migrationTableSchema: schema,
    }).migrateTo(name);
    if (error) throw error;
  } finally {
    await k.destroy();
  }
}
