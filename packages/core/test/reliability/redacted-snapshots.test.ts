import { END, Engine, defineGraph, patternRedactor, type StoredEvent, type Store } from '@kestrion/core';
import { FOLD_VERSION, foldEvents } from '@kestrion/core/store-kit';
import {
  inMemoryStoreFactory,
  postgresStoreFactory,
  sqliteFileStoreFactory,
  type StoreFactory,
} from '@kestrion/testing';

const SECRET = 'sk-live-4f9a8b7c6d5e4f3a2b1c';

/** A run whose tool returns a secret and whose node keeps it in state, then parks for approval. */
const graph = defineGraph({
  name: 'secretive',
  start: 'read',
  tools: [
    { name: 'read_config', idempotent: true, invoke: () => ({ apiKey: SECRET, region: 'eu' }) },
    { name: 'rotate', requiresApproval: true, invoke: () => ({ rotated: true }) },
  ],
  nodes: {
    read: async (ctx) => {
      const r = await ctx.callTool('read_config', {});
      return { next: 'rotate', patch: { set: { config: r.status === 'completed' ? r.result : null } } };
    },
    rotate: async (ctx) => ({
      next: END,
      output: (await ctx.callTool('rotate', { note: `old ${SECRET}` })).status,
    }),
  },
});

async function log(store: Store, runId: string): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of store.readEvents(runId)) out.push(e);
  return out;
}

// docs/reliability.md#10. Snapshots are a cache of the fold of what is stored; with a redactor, what is stored is
// redacted, so no snapshot may hold the secret, and loading from a snapshot or from the log
// alone gives one state.
describe.each<[string, () => StoreFactory]>([
  ['in-memory', inMemoryStoreFactory],
  ['SQLite file', sqliteFileStoreFactory],
  ['PostgreSQL', postgresStoreFactory],
])('redaction reaches snapshots (%s)', (_, makeFactory) => {
  const factory = makeFactory();
  beforeAll(() => factory.setup?.());
  afterAll(() => factory.dispose?.());

  it('a parked run snapshot holds no secret and equals the fold of the stored log', async () => {
    const store = await factory.open({ redact: patternRedactor([/sk-live-[a-z0-9]+/]) });
    try {
      const engine = new Engine({ store, graph, snapshotEvery: 1 });
      const parked = await engine.run('rotate the key');
      expect(parked.status).toBe('waiting_on_human');
      expect(JSON.stringify(parked)).not.toContain(SECRET);
      const snapshot = await store.loadSnapshot(parked.runId, FOLD_VERSION);
      expect(snapshot).toBeDefined();
      expect(JSON.stringify(snapshot)).not.toContain(SECRET);
      const events = await log(store, parked.runId);
      expect(JSON.stringify(events)).not.toContain(SECRET);
      expect(snapshot?.state).toEqual(foldEvents(undefined, events.slice(0, snapshot?.seq)));
      // Another engine (as another process would) sees the same state through the snapshot.
      const other = new Engine({ store, graph });
      expect((await other.get(parked.runId)).state).toEqual(parked.state);
      await other.approve(parked.runId, { by: 'alice' });
      const done = await other.resume(parked.runId);
      expect(done.status).toBe('completed');
      expect(JSON.stringify(await log(store, parked.runId))).not.toContain(SECRET);
    } finally {
      await store.close();
    }
  });
});
