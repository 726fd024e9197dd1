import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent, Store } from '@kestrion/core';
import { openStore, type KyselyStore } from '@kestrion/store';
import { SqliteAppendStatements } from '../src/sqlite/sqlite-append-statements';

const event = (runId: string, seq: number): NewEvent => ({
  id: `evt-${runId}-${seq}`,
  type: 'acme:step',
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
  data: { seq },
});

/** Each run appends its events one after another, every run at once (a worker's many runs). */
async function appendConcurrently(store: Store, runs: number, events: number): Promise<void> {
  await Promise.all(
    Array.from({ length: runs }, async (_, r) => {
      for (let seq = 1; seq <= events; seq++)
        await store.append(`run-${r}`, seq - 1, [event(`run-${r}`, seq)]);
    }),
  );
}

describe('SQLite group commit', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'kestrion-group-'))));
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['before kysely is loaded', false],
    ['once kysely is loaded (a listing, a claim, a fresh file migrated)', true],
  ])('commits the writes of many runs that append one after another together, %s', async (_, loadKysely) => {
    const url = `sqlite://${join(dir, 'group.db')}`;
    await (await openStore(url)).close(); // migrates the new file (with kysely)
    // openStore answers the Store port; this test looks inside the SQLite implementation.
    const store = (await openStore(url)) as KyselyStore;
    try {
      if (loadKysely) await store.listRuns();
      expect((store.dialect as unknown as { kysely?: unknown }).kysely !== undefined).toBe(loadKysely);
      const commits = jest.spyOn(SqliteAppendStatements.prototype, 'commit');
      const runs = 40;
      const events = 10;
      await appendConcurrently(store, runs, events);
      // Each run has one append in flight at a time, so one commit per round of appends is the
      // floor, plus one: the very first write goes alone, at once. Taking the next batch as
      // soon as the last one settled made 15 commits here (a third fewer writes per commit).
      expect(commits.mock.calls.length).toBeLessThanOrEqual(events + 1);
      for (let r = 0; r < runs; r++) expect((await store.getRun(`run-${r}`))?.headSeq).toBe(events);
    } finally {
      await store.close();
    }
  });
});
