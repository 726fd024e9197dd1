import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The published store bundle in a real process: quotaStoreFor works from it (its dialect's
// quota code is required lazily inside the bundle), a process on SQLite that opens a store
// without using quotas loads neither kysely nor pg, and using quotas on SQLite never loads pg.
const bundle = resolve(__dirname, '..', '..', 'dist', 'index.bundle.js');

const script = `
const loaded = (pkg) => Object.keys(require.cache).some((k) => k.includes('/node_modules/' + pkg + '/'));
const { openStore, quotaStoreFor } = require(${JSON.stringify(bundle)});
(async () => {
  const store = await openStore('sqlite://' + process.argv[1]);
  const quota = quotaStoreFor(store);
  const beforeUse = { kysely: loaded('kysely'), pg: loaded('pg') };
  const limits = { requestsPerMinute: 1 };
  const first = await quota.reserve('openai:m', limits, { id: 'a', tokens: 10, now: 1000 });
  await quota.settle('openai:m', 'a', { tokens: 7, now: 2000 });
  const second = await quota.reserve('openai:m', limits, { id: 'b', tokens: 10, now: 3000 });
  const usage = await quota.usage('openai:m', 3000);
  console.log(JSON.stringify({ beforeUse, first, second, usage, pg: loaded('pg'), same: quotaStoreFor(store) === quota }));
  await store.close();
})();`;

describe('quotaStoreFor in the store bundle', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'kestrion-quota-bundle-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reserves on SQLite from the bundle, loading kysely only on use and pg never', () => {
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build\` first`);
    const file = join(dir, 'quota.db');
    const run = () =>
      JSON.parse(
        execFileSync(process.execPath, ['-e', script, file], { encoding: 'utf8' }).trim().split('\n').pop()!,
      );
    const expected = {
      first: { granted: true, id: 'a' },
      second: { granted: false, reason: 'requests', retryAtMs: 2000 + 61_000 },
      usage: { requests: 1, tokens: 7, inFlight: 0, pausedUntilMs: null },
      pg: false,
      same: true,
    };
    // The first process creates and migrates the file (kysely's Migrator).
    expect(run()).toMatchObject(expected);
    // On a current file, a process loads kysely only once it uses the quota; the bucket is shared
    // ('a' is held already, so reserving it again counts it once).
    expect(run()).toEqual({ ...expected, beforeUse: { kysely: false, pg: false } });
  });
});
