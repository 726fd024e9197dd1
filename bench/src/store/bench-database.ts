import { Client } from 'pg';

const ADMIN_URL = process.env.KESTRION_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * A fresh PostgreSQL database for one bench run, dropped afterwards. The same as
 * `createTestDatabase` in @kestrion/testing, which cannot be imported outside Jest (its index
 * loads the contract suite, which imports `@jest/globals`).
 */
export async function createBenchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `kestrion_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = async (statement: string) => {
    const c = new Client({ connectionString: ADMIN_URL });
    await c.connect();
    try {
      await c.query(statement);
    } finally {
      await c.end();
    }
  };
  await admin(`create database "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists "${name}" with (force)`) };
}
