import type * as Core from '@kestrion/core';
import type * as StorePackage from '@kestrion/store';
import { createTestDatabase } from '@kestrion/testing';

// better-sqlite3 and pg are optional peer dependencies of @kestrion/store. Here a driver is made
// missing by a mock that throws what Node throws for an absent package; the packed-install test
// (packages/testing/test/packaging) proves the same on a real install that lacks better-sqlite3.

type Driver = 'better-sqlite3' | 'pg';

/** Node's own shape for `require('<name>')` of a package that is not installed. */
function moduleNotFound(
  name: string,
  requiredFrom = '/app/node_modules/@kestrion/store/dist/index.bundle.js',
) {
  return Object.assign(new Error(`Cannot find module '${name}'\nRequire stack:\n- ${requiredFrom}`), {
    code: 'MODULE_NOT_FOUND',
  });
}

/** A fresh copy of the store (and core, for its error classes) in which `missing` cannot be required. */
function storeWithout(missing: Driver, error: Error = moduleNotFound(missing)) {
  jest.doMock(missing, () => {
    throw error;
  });
  let loaded: { store: typeof StorePackage; core: typeof Core } | undefined;
  jest.isolateModules(() => {
    loaded = {
      store: jest.requireActual<typeof StorePackage>('@kestrion/store'),
      core: jest.requireActual<typeof Core>('@kestrion/core'),
    };
  });
  return loaded!;
}

afterEach(() => {
  jest.dontMock('better-sqlite3');
  jest.dontMock('pg');
});

describe('a store whose driver is not installed', () => {
  it.each(['sqlite::memory:', 'sqlite://./never-created.db'])(
    'opening %s without better-sqlite3 is a ConfigurationError naming the package and its install command',
    async (url) => {
      const { store, core } = storeWithout('better-sqlite3');
      const opening = store.openStore(url);
      await expect(opening).rejects.toBeInstanceOf(core.ConfigurationError);
      await expect(opening).rejects.toThrow(
        'the SQLite store needs the better-sqlite3 package: npm install better-sqlite3',
      );
    },
  );

  it('opening postgres:// without pg is a ConfigurationError naming the package and its install command', async () => {
    const { store, core } = storeWithout('pg');
    const opening = store.openStore('postgres://postgres@127.0.0.1:5432/postgres');
    await expect(opening).rejects.toBeInstanceOf(core.ConfigurationError);
    await expect(opening).rejects.toThrow('the PostgreSQL store needs the pg package: npm install pg');
  });

  it('subscribing to postgresWakeups without pg is the same ConfigurationError', async () => {
    const { store, core } = storeWithout('pg');
    const subscribing = store
      .postgresWakeups('postgres://postgres@127.0.0.1:5432/postgres')
      .subscribe(() => {});
    await expect(subscribing).rejects.toBeInstanceOf(core.ConfigurationError);
    await expect(subscribing).rejects.toThrow('npm install pg');
  });

  it('reports a module missing inside an installed driver as it is, not as the driver missing', async () => {
    const inner = moduleNotFound('bindings', '/app/node_modules/better-sqlite3/lib/database.js');
    const { store, core } = storeWithout('better-sqlite3', inner);
    const error: unknown = await store.openStore('sqlite::memory:').catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(core.ConfigurationError);
    expect((error as Error).message).toContain("Cannot find module 'bindings'");
  });

  it('runs a PostgreSQL store without ever requiring better-sqlite3', async () => {
    const { store } = storeWithout('better-sqlite3');
    const db = await createTestDatabase('kestrion_no_sqlite');
    try {
      const opened = await store.openStore(db.url);
      try {
        const started = { agent: 'a', input: null };
        await opened.append('run_pg_only', 0, [
          { id: 'evt_1', type: 'run.started', at: new Date(0).toISOString(), data: started },
        ]);
        expect((await opened.getRun('run_pg_only'))?.status).toBe('pending');
      } finally {
        await opened.close();
      }
    } finally {
      await db.drop();
    }
  });
});
