import { ConcurrencyError, InvalidRunIdError, PayloadTooLargeError } from '@kestrion/core';
import { type ContractContext, entered, ev, readAll, seedRun, started } from './contract-context';

export function appendContract(ctx: ContractContext): void {
  describe('append', () => {
    it('assigns contiguous seqs from 1 and reads back what was written', async () => {
      const s = ctx.store();
      const id = ctx.newRunId();
      const first = await s.append(id, 0, [started()]);
      const second = await s.append(id, 1, [entered('a', 1), entered('b', 2)]);
      expect(first.events.map((e) => e.seq)).toEqual([1]);
      expect(second).toMatchObject({ headSeq: 3, duplicate: false });
      const read = await readAll(s, id);
      expect(read.map((e) => [e.seq, e.type])).toEqual([
        [1, 'run.started'],
        [2, 'node.entered'],
        [3, 'node.entered'],
      ]);
      expect(read[2]?.data).toEqual({ node: 'b', visit: 2 });
      expect(read[0]?.v).toBe(1);
    });

    it('rejects a stale expectedSeq with ConcurrencyError and writes nothing', async () => {
      const s = ctx.store();
      const id = ctx.newRunId();
      await seedRun(s, id, 2);
      await expect(s.append(id, 1, [entered('late', 9)])).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(s.append(id, 7, [entered('ahead', 9)])).rejects.toBeInstanceOf(ConcurrencyError);
      expect((await readAll(s, id)).length).toBe(3);
      expect((await s.getRun(id))?.headSeq).toBe(3);
    });

    it('rejects a second run.started for a new run racing the first', async () => {
      const s = ctx.store();
      const id = ctx.newRunId();
      const results = await Promise.allSettled([
        s.append(id, 0, [started('a')]),
        s.append(id, 0, [started('b')]),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const failure = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(failure.reason).toBeInstanceOf(ConcurrencyError);
      expect((await readAll(s, id)).length).toBe(1);
    });

    it('stores a re-sent append with the same event ids once', async () => {
      const s = ctx.store();
      const id = ctx.newRunId();
      await s.append(id, 0, [started()]);
      const batch = [entered('x', 1), entered('y', 2)];
      await s.append(id, 1, batch);
      const again = await s.append(id, 1, batch);
      expect(again.duplicate).toBe(true);
      expect(again.events.map((e) => e.seq)).toEqual([2, 3]);
      expect((await readAll(s, id)).length).toBe(3);
    });

    it('refuses an event id already used in the run at another seq', async () => {
      const s = ctx.store();
      const id = ctx.newRunId();
      const e = entered('x', 1);
      await s.append(id, 0, [started(), e]);
      await expect(s.append(id, 2, [{ ...e }])).rejects.toBeInstanceOf(ConcurrencyError);
      expect((await s.getRun(id))?.headSeq).toBe(2);
    });

    it('fails a whole batch with PayloadTooLargeError before writing any of it', async () => {
      const s = await ctx.factory.open({ maxEventBytes: 1000 });
      try {
        const id = ctx.newRunId();
        await s.append(id, 0, [started()]);
        const big = ev('state.patched', { node: 'n', patch: { set: { blob: 'x'.repeat(2000) } } });
        const err = await s.append(id, 1, [entered('ok', 1), big]).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(PayloadTooLargeError);
        expect((err as PayloadTooLargeError).message).toMatch(
          /state\.patched payload is \d+ bytes, over the 1000-byte limit/,
        );
        expect((await readAll(s, id)).length).toBe(1);
      } finally {
        await s.close();
      }
    });

    it('applies the redaction hook before anything is stored', async () => {
      const secret = 'sk-live-ABCDEF123456';
      const s = await ctx.factory.open({
        redact: (e) => ({ ...e, data: JSON.parse(JSON.stringify(e.data).split(secret).join('[REDACTED]')) }),
      });
      try {
        const id = ctx.newRunId();
        const result = await s.append(id, 0, [started('a', { input: `use key ${secret}` })]);
        expect(JSON.stringify(result.events)).not.toContain(secret);
        const [stored] = await readAll(s, id);
        expect(stored?.data).toMatchObject({ input: 'use key [REDACTED]' });
      } finally {
        await s.close();
      }
    });

    it('stores hostile run ids verbatim through parameters', async () => {
      const s = ctx.store();
      const hostile = [
        `q'uote"d; DROP TABLE kestrion_events; -- ${ctx.newRunId()}`,
        `\u202Ertl-🦅-${ctx.newRunId()}-é`,
        `${ctx.newRunId()}%_\\*?`,
        'x'.repeat(250) + ctx.newRunId().slice(-6),
      ];
      for (const id of hostile) {
        await s.append(id, 0, [started()]);
        expect((await s.getRun(id))?.runId).toBe(id);
        expect((await readAll(s, id)).map((e) => e.runId)).toEqual([id]);
      }
      expect((await s.getRun(hostile[0] as string))?.headSeq).toBe(1);
    });

    it('rejects run ids that are empty, huge or hold control characters', async () => {
      const s = ctx.store();
      for (const bad of ['', 'x'.repeat(10 * 1024), 'nul\u0000byte', 'line\nbreak']) {
        await expect(s.append(bad, 0, [started()])).rejects.toBeInstanceOf(InvalidRunIdError);
      }
    });
  });
}
