import {
  ConcurrencyError,
  InvalidInputError,
  InvalidRunIdError,
  RunIdTakenError,
  type ListRunsQuery,
  type Store,
} from '@kestrion/core';
import { type ContractContext, entered, readAll, started } from './contract-context';

/** Every call that names a run, as a thunk: each must refuse an id the store cannot hold. */
function callsNaming(s: Store, runId: string): Array<[string, () => Promise<unknown>]> {
  const lease = { runId, owner: 'A', epoch: 1, expiresAtMs: 1 };
  return [
    ['append', () => s.append(runId, 0, [started()])],
    ['getRun', () => s.getRun(runId)],
    ['readEvents', () => readAll(s, runId)],
    ['loadSnapshot', () => s.loadSnapshot(runId, 1)],
    ['saveSnapshot', () => s.saveSnapshot({ runId, seq: 1, foldVersion: 1, state: {} as never })],
    ['acquireLease', () => s.acquireLease(runId, { owner: 'A', ttlMs: 1, now: 0 })],
    ['renewLease', () => s.renewLease(lease, { ttlMs: 1, now: 0 })],
    ['releaseLease', () => s.releaseLease(lease)],
    ['purgeRun', () => s.purgeRun(runId)],
    ['listRuns(parentRunId)', () => s.listRuns({ parentRunId: runId })],
  ];
}

export function inputContract(ctx: ContractContext): void {
  describe('input at the store edge', () => {
    it('refuses run ids with a lone surrogate on every call, so two such ids never name one run', async () => {
      const s = ctx.store();
      const base = ctx.newRunId('surrogate');
      // In UTF-8 both would become base + U+FFFD: one run for two ids.
      for (const bad of [`${base}\uD800`, `${base}\uD801`, `${base}\uDC00x`, `\uDFFF${base}`]) {
        for (const [name, call] of callsNaming(s, bad)) {
          const refused = await call().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect([name, refused]).toEqual([name, expect.any(InvalidRunIdError)]);
          expect((refused as Error).message).toMatch(/lone UTF-16 surrogate/);
        }
      }
      // A well-formed pair (an emoji) is an ordinary id.
      const emoji = `${base}\uD83D\uDE00`;
      await s.append(emoji, 0, [started()]);
      expect((await s.getRun(emoji))?.headSeq).toBe(1);
    });

    it.each<[string, ListRunsQuery]>([
      ['a negative limit', { limit: -1 }],
      ['a zero limit', { limit: 0 }],
      ['a fractional limit', { limit: 2.5 }],
      ['a NaN limit', { limit: Number.NaN }],
      ['an infinite limit', { limit: Number.POSITIVE_INFINITY }],
      ['an empty status list', { status: [] }],
      ['an unknown status', { status: ['runing' as never] }],
    ])('listRuns refuses %s with InvalidInputError naming the fix', async (_, query) => {
      const refused = await ctx
        .store()
        .listRuns(query)
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(InvalidInputError);
      expect((refused as InvalidInputError).code).toBe('invalid_list_query');
      expect((refused as Error).message).toMatch(
        /listRuns: .*(integer of 1 or more|leave status out|use one of)/,
      );
    });

    it('says "run id taken" when a new run reuses an existing id, and writes nothing', async () => {
      const s = ctx.store();
      const id = ctx.newRunId('taken');
      await s.append(id, 0, [started(), entered('a', 1)]);
      const taken = await s.append(id, 0, [started()]).catch((e: unknown) => e);
      expect(taken).toBeInstanceOf(RunIdTakenError);
      expect(taken).toBeInstanceOf(ConcurrencyError); // still a lost race to code that catches those
      expect(taken).toMatchObject({ code: 'run_id_taken', retryable: false });
      expect((taken as Error).message).toMatch(/run id ".*" is taken.*start the new run under another id/);
      // A stale head on an existing run is the plain race, retryable.
      const stale = await s.append(id, 1, [entered('b', 2)]).catch((e: unknown) => e);
      expect(stale).toBeInstanceOf(ConcurrencyError);
      expect(stale).not.toBeInstanceOf(RunIdTakenError);
      expect((stale as ConcurrencyError).retryable).toBe(true);
      expect((await s.getRun(id))?.headSeq).toBe(2);
    });

    it('refuses one event id twice in one append, writing nothing', async () => {
      const s = ctx.store();
      const id = ctx.newRunId('dup-ids');
      const e = entered('a', 1);
      const refused = await s.append(id, 0, [started(), e, { ...e }]).catch((x: unknown) => x);
      expect(refused).toBeInstanceOf(InvalidInputError);
      expect(refused).toMatchObject({ code: 'duplicate_event_id' });
      expect((refused as Error).message).toContain(`event id ${JSON.stringify(e.id)} appears twice`);
      expect(await s.getRun(id)).toBeUndefined();
      expect(await readAll(s, id)).toEqual([]);
    });
  });
}
