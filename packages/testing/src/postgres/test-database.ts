import { Client } from 'pg';

/** Where the PostgreSQL test server is; each test file gets its own database on it. */
export const TEST_PG_ADMIN_URL =
  process.env.KESTRION_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * Creates a fresh, uniquely named database so concurrent test files (and concurrent CI runs
 * on one machine) never see each other's rows. `drop()` removes it.
 */
export async function createTestDatabase(label = 'kestrion'): Promise<TestDatabase> {
  const name = `${label}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
  const admin = new Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: TEST_PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
