import { mkdtempSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { END, Engine, defineGraph, type NewEvent } from '@kestrion/core';
import { openStore, type KyselyStore } from '@kestrion/store';
import type { Kysely } from 'kysely';
import type { KestrionDatabase } from '../src/schema';
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

const kyselyLoaded = (store: KyselyStore) => kyselyOf(store) !== undefined;
const kyselyOf = (store: KyselyStore) =>
  (store.dialect as unknown as { kysely?: Kysely<KestrionDatabase> }).kysely;

const note = (n: number): NewEvent => ({
  id: `evt-note-${n}`,
  type: 'acme:note',
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  data: { n },
});

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

  it('once kysely is loaded, appends take its connection only while one of its transactions holds it', async () => {
    const store = (await openStore(`sqlite://${join(dir, 'gate.db')}`)) as KyselyStore;
    try {
      await store.listRuns(); // loads kysely
      const kysely = kyselyOf(store)!;
      const asked = jest.spyOn(kysely, 'connection');

      // Free: the append runs its statements at once, without asking kysely for the connection.
      await store.append('run_gate', 0, [note(1)]);
      expect(asked).not.toHaveBeenCalled();

      // Held across an await by a kysely transaction: the append waits for it to end, so the
      // transaction never sees the append's write in its middle.
      let inside!: () => void;
      let finish!: () => void;
      const entered = new Promise<void>((r) => (inside = r));
      const release = new Promise<void>((r) => (finish = r));
      const seen: number[] = [];
      const transaction = kysely.transaction().execute(async (trx) => {
        inside();
        await release;
        const rows = await trx
          .selectFrom('kestrion_events')
          .select('seq')
          .where('run_id', '=', 'run_gate')
          .execute();
        seen.push(...rows.map((r) => r.seq));
      });
      await entered;
      let appended = false;
      const append = store.append('run_gate', 1, [note(2)]).then((r) => ((appended = true), r));
      await new Promise((r) => setTimeout(r, 20));
      expect(appended).toBe(false);
      expect(asked).toHaveBeenCalled();
      finish();
      await transaction;
      expect(seen).toEqual([1]);
      expect((await append).headSeq).toBe(2);

      // Free again: straight through.
      asked.mockClear();
      await store.append('run_gate', 2, [note(3)]);
      expect(asked).not.toHaveBeenCalled();

      // A kysely transaction that fails still hands the connection back: appends go straight
      // through afterwards, and nothing of the failed transaction was written.
      await expect(
        kysely.transaction().execute(async (trx) => {
          await trx.deleteFrom('kestrion_events').where('run_id', '=', 'run_gate').execute();
          throw new Error('the purge changed its mind');
        }),
      ).rejects.toThrow('changed its mind');
      asked.mockClear();
      expect((await store.append('run_gate', 3, [note(4)])).headSeq).toBe(4);
      expect(asked).not.toHaveBeenCalled();
      const seqs: number[] = [];
      for await (const e of store.readEvents('run_gate')) seqs.push(e.seq);
      expect(seqs).toEqual([1, 2, 3, 4]);
    } finally {
      await store.close();
    }
  });
  it('assigns the scheduling columns only in the commits that change them (the claim index moves twice a run)', async () => {
    const file = join(dir, 'claim.db');
    const store = await openStore(`sqlite://${file}`);
    const engine = new Engine({ store, graph });
    const parked = await engine.run(null);
    // SQLite runs an UPDATE OF trigger whenever the statement assigns the column, even to the
    // value it holds, which is also when it rewrites the entry of the claim index (its WHERE
    // reads runnable and next_due_at_ms).
    const spy = new Database(file);
    spy.exec(`create table scheduling_writes (status text not null, runnable integer not null);
      create trigger scheduling_written after update of runnable, next_due_at_ms on kestrion_runs
      begin insert into scheduling_writes values (new.status, new.runnable); end;`);
    try {
      await engine.approve(parked.runId, { by: 'ops' });
      expect((await engine.resume(parked.runId)).status).toBe('completed');
      // Runnable once approved, and not any more once ended; the lease and tool.started (pending
      // to running, still runnable) leave the columns alone.
      expect(spy.prepare('select status, runnable from scheduling_writes order by rowid').all()).toEqual([
        { status: 'pending', runnable: 1 },
        { status: 'completed', runnable: 0 },
      ]);
      expect(await store.getRun(parked.runId)).toMatchObject({ status: 'completed', runnable: false });
    } finally {
      spy.close();
      await store.close();
    }
  });
});
