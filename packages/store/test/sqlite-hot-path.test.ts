import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { END, Engine, defineGraph } from '@kestrion/core';
import { openStore, type KyselyStore } from '@kestrion/store';
import { LATEST_MIGRATION } from '../src/schema-version';
import { MIGRATION_NAMES } from '../src/migrations';

const graph = defineGraph({
  name: 'hot-path',
  start: 'act',
  tools: [{ name: 'deploy', requiresApproval: true, invoke: () => 'deployed' }],
  nodes: {
    act: async (ctx) => ({ next: END, output: (await ctx.callTool('deploy', { v: 1 })).status }),
  },
});

const kyselyLoaded = (store: KyselyStore) =>
  (store.dialect as unknown as { kysely?: unknown }).kysely !== undefined;

describe('SQLite hot path', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'kestrion-hot-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names the newest migration in LATEST_MIGRATION (open skips the migrator on it)', () => {
    expect(MIGRATION_NAMES.at(-1)).toBe(LATEST_MIGRATION);
  });

  it('starts, approves and resumes runs on an up-to-date database without building a query', async () => {
    const url = `sqlite://${join(dir, 'hot.db')}`;
    await (await openStore(url)).close(); // migrates the new file

    // openStore answers the Store port; this test looks inside the SQLite implementation.
    const store = (await openStore(url)) as KyselyStore;
    const engine = new Engine({ store, graph });
    const parked = await engine.run(null);
    expect(parked.status).toBe('waiting_on_human');
    await engine.approve(parked.runId, { by: 'ops' });
    const done = await new Engine({ store, graph }).resume(parked.runId);
    expect(done).toMatchObject({ status: 'completed', output: 'completed' });
    expect(await store.getRun(parked.runId)).toMatchObject({ status: 'completed', leaseOwner: null });
    expect(kyselyLoaded(store)).toBe(false);

    // A listing builds its query with kysely; writes and reads then take turns with it.
    expect((await store.listRuns()).runs.map((r) => r.runId)).toEqual([parked.runId]);
    expect(kyselyLoaded(store)).toBe(true);
    const [again] = await Promise.all([engine.run(null), store.listRuns({ status: 'completed' })]);
    await engine.approve(again.runId, { by: 'ops' });
    expect((await engine.resume(again.runId)).status).toBe('completed');
    await store.close();
  });
});
