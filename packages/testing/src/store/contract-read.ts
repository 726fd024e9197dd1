import { CorruptLogError, UnsupportedVersionError } from '@kestrion/core';
import { FOLD_VERSION, foldEvents, loadRunState } from '@kestrion/core/store-kit';
import { type ContractContext, entered, readAll, seedRun } from './contract-context';

export function readContract(ctx: ContractContext): void {
  describe('reading', () => {
    it('streams a long run page by page in seq order, from any seq', async () => {
      const s = ctx.store();
      const id = ctx.newRunId();
      await seedRun(s, id, 2499);
      const seqs: number[] = [];
      for await (const e of s.readEvents(id, { pageSize: 700 })) seqs.push(e.seq);
      expect(seqs.length).toBe(2500);
      expect(seqs.every((q, i) => q === i + 1)).toBe(true);
      const tail = await readAll(s, id, 2401);
      expect(tail.map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 2401 + i));
    });

    it('reads nothing for a run that does not exist', async () => {
      expect(await readAll(ctx.store(), ctx.newRunId())).toEqual([]);
      expect(await ctx.store().getRun(ctx.newRunId())).toBeUndefined();
    });

    it.each([
      ['gap', CorruptLogError, /seq 3 missing/],
      ['garbage', CorruptLogError, /corrupt at seq 3: unparsable payload/],
      ['future-version', UnsupportedVersionError, /seq 3: event node\.entered v99 is newer/],
    ] as const)('refuses a run with a %s at seq 3, naming the run and seq', async (kind, type, message) => {
      const s = ctx.store();
      const id = ctx.newRunId();
      await seedRun(s, id, 4);
      await ctx.factory.corrupt(s, id, 3, kind);
      const err = await readAll(s, id).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(type);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).toContain(JSON.stringify(id));
      await expect(loadRunState(s, id)).rejects.toBeInstanceOf(type);
    });
  });

  describe('snapshots', () => {
    it('loads the newest snapshot of the matching fold version, at or below maxSeq, keeping the newest two', async () => {
      const s = ctx.store();
      const id = ctx.newRunId();
      await seedRun(s, id, 9);
      const events = await readAll(s, id);
      const at = (n: number) => foldEvents(undefined, events.slice(0, n))!;
      await s.saveSnapshot({ runId: id, seq: 4, foldVersion: FOLD_VERSION, state: at(4) });
      await s.saveSnapshot({ runId: id, seq: 8, foldVersion: FOLD_VERSION, state: at(8) });
      await s.saveSnapshot({ runId: id, seq: 9, foldVersion: FOLD_VERSION + 1, state: at(9) });
      expect((await s.loadSnapshot(id, FOLD_VERSION))?.seq).toBe(8);
      expect((await s.loadSnapshot(id, FOLD_VERSION, 7))?.seq).toBe(4);
      expect((await s.loadSnapshot(id, FOLD_VERSION + 1))?.state).toEqual(at(9));
      expect(await s.loadSnapshot(id, FOLD_VERSION + 2)).toBeUndefined();
      expect(await loadRunState(s, id)).toEqual(at(10));
      // Retention: a third snapshot of the same fold version drops the oldest.
      await s.saveSnapshot({ runId: id, seq: 10, foldVersion: FOLD_VERSION, state: at(10) });
      expect((await s.loadSnapshot(id, FOLD_VERSION))?.seq).toBe(10);
      expect((await s.loadSnapshot(id, FOLD_VERSION, 9))?.seq).toBe(8);
      expect(await s.loadSnapshot(id, FOLD_VERSION, 7)).toBeUndefined();
      expect((await s.loadSnapshot(id, FOLD_VERSION + 1))?.seq).toBe(9);
      // One older than the two kept is not kept either.
      await s.saveSnapshot({ runId: id, seq: 2, foldVersion: FOLD_VERSION, state: at(2) });
      expect(await s.loadSnapshot(id, FOLD_VERSION, 7)).toBeUndefined();
      expect((await s.loadSnapshot(id, FOLD_VERSION, 9))?.seq).toBe(8);
    });

    it('keeps snapshots and appends of many runs issued at once apart', async () => {
      // Stores that commit many writes together (SQLite's write queue) must keep each run's
      // snapshots, retention and head its own.
      const s = ctx.store();
      const ids = Array.from({ length: 5 }, () => ctx.newRunId('snap'));
      for (const id of ids) await seedRun(s, id, 3);
      const states = new Map<string, ReturnType<typeof foldEvents>>();
      for (const id of ids) states.set(id, foldEvents(undefined, await readAll(s, id)));
      // Runs at once, each run's own snapshots in order (as its single writer saves them).
      await Promise.all(
        ids.map(async (id, i) => {
          const appended = s.append(id, 4, [entered(`more${i}`, 4)]);
          for (const seq of [2, 3, 4])
            await s.saveSnapshot({ runId: id, seq, foldVersion: FOLD_VERSION, state: states.get(id)! });
          await appended;
        }),
      );
      for (const id of ids) {
        expect((await s.loadSnapshot(id, FOLD_VERSION))?.seq).toBe(4);
        expect((await s.loadSnapshot(id, FOLD_VERSION, 3))?.seq).toBe(3);
        expect(await s.loadSnapshot(id, FOLD_VERSION, 2)).toBeUndefined();
        expect((await s.getRun(id))?.headSeq).toBe(5);
      }
    });
  });
}
