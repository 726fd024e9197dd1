import { randomUUID } from 'node:crypto';
import {
  CorruptLogError,
  CorruptSnapshotError,
  END,
  Engine,
  FakeClock,
  InvalidEventDataError,
  InvalidEventError,
  InvalidRunIdError,
  KestrionError,
  type NewEvent,
  PayloadTooDeepError,
  PayloadTooLargeError,
  type RunState,
  defineGraph,
  recoverRuns,
} from '@kestrion/core';
import { FOLD_VERSION, MAX_EVENT_DATA_DEPTH, foldEvents, loadRunState } from '@kestrion/core/store-kit';
import { type ContractContext, entered, ev, readAll, seedRun, started } from './contract-context';

/** A value nested `levels` deep (the outermost object is level 1). */
function nested(levels: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < levels; i++) v = { k: v };
  return v;
}

function raw(type: string, data: unknown, extra: Partial<NewEvent> = {}): NewEvent {
  return { ...ev('run.input', { message: null }), type, data: data as NewEvent['data'], ...extra };
}

/**
 * What a store guarantees about damaged data and data it must not take: corrupt snapshots are
 * a cache miss (reported), a log shorter than its runs row is corrupt, event data that JSON
 * cannot hold faithfully is refused before anything is written, and a recovery sweep goes on
 * past runs it cannot load.
 */
export function integrityContract(ctx: ContractContext): void {
  describe('integrity', () => {
    describe('a log shorter than its runs row', () => {
      it('refuses a run whose last event was deleted, naming the log head and the runs row head', async () => {
        const s = ctx.store();
        const id = ctx.newRunId();
        await seedRun(s, id, 4);
        await ctx.factory.corrupt(s, id, 5, 'gap');
        const err = await loadRunState(s, id).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(CorruptLogError);
        expect((err as Error).message).toContain(JSON.stringify(id));
        expect((err as Error).message).toMatch(/the log ends at seq 4 but the runs row records head seq 5/);
      });

      it('refuses a run whose every event was deleted instead of calling it missing', async () => {
        const s = ctx.store();
        const id = ctx.newRunId();
        await seedRun(s, id, 0);
        await ctx.factory.corrupt(s, id, 1, 'gap');
        await expect(loadRunState(s, id)).rejects.toThrow(/no events but the runs row records head seq 1/);
      });

      it('refuses a run folded from a snapshot whose later events were deleted', async () => {
        const s = ctx.store();
        const id = ctx.newRunId();
        await seedRun(s, id, 5);
        const events = await readAll(s, id);
        await s.saveSnapshot({ runId: id, seq: 3, foldVersion: FOLD_VERSION, state: fold(events, 3) });
        await ctx.factory.corrupt(s, id, 6, 'gap');
        await ctx.factory.corrupt(s, id, 5, 'gap');
        await expect(loadRunState(s, id)).rejects.toThrow(
          /ends at seq 4 but the runs row records head seq 6 \(folded from the snapshot at seq 3\)/,
        );
      });
    });

    describe('a snapshot is a cache', () => {
      const base = (events: Awaited<ReturnType<typeof readAll>>) => fold(events, 3);
      it.each<[string, (state: RunState, id: string) => string]>([
        ['unparsable text', () => '{"runId":"trunc'],
        ['{}', () => '{}'],
        ['null', () => 'null'],
        ['an array', () => '[1,2,3]'],
        ['a string', () => '"state"'],
        ['calls as an array', (st) => JSON.stringify({ ...st, calls: [] })],
        ['no totals', (st) => JSON.stringify({ ...st, totals: null })],
        ['an unknown status', (st) => JSON.stringify({ ...st, status: 'zombie' })],
        ['another run', (st) => JSON.stringify({ ...st, runId: 'someone-else' })],
        ['a state at another seq', (st) => JSON.stringify({ ...st, seq: 2 })],
      ])('folds the log when the snapshot holds %s, and reports it', async (_label, text) => {
        const s = ctx.store();
        const id = ctx.newRunId();
        await seedRun(s, id, 4);
        const events = await readAll(s, id);
        await s.saveSnapshot({ runId: id, seq: 3, foldVersion: FOLD_VERSION, state: base(events) });
        await ctx.factory.corruptSnapshots(s, id, text(base(events), id));
        const warnings: KestrionError[] = [];
        const state = await loadRunState(s, id, { onWarning: (w) => warnings.push(w) });
        expect(state).toEqual(fold(events, 5));
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toBeInstanceOf(CorruptSnapshotError);
        expect(warnings[0]?.message).toContain(JSON.stringify(id));
      });

      it('ignores a snapshot ahead of the log', async () => {
        const s = ctx.store();
        const id = ctx.newRunId();
        await seedRun(s, id, 4);
        const events = await readAll(s, id);
        const ahead = { ...fold(events, 5), seq: 9 };
        await s.saveSnapshot({ runId: id, seq: 9, foldVersion: FOLD_VERSION, state: ahead });
        const warnings: KestrionError[] = [];
        expect(await loadRunState(s, id, { onWarning: (w) => warnings.push(w) })).toEqual(fold(events, 5));
        expect(warnings.map((w) => w.message)).toEqual([
          expect.stringMatching(
            /snapshot at seq 9 ignored, it is ahead of the log \(the runs row says head seq 5\)/,
          ),
        ]);
      });

      it('finds corruption under a snapshot once the snapshot cannot be used', async () => {
        const s = ctx.store();
        const id = ctx.newRunId();
        await seedRun(s, id, 4);
        const events = await readAll(s, id);
        await s.saveSnapshot({ runId: id, seq: 5, foldVersion: FOLD_VERSION, state: fold(events, 5) });
        await ctx.factory.corrupt(s, id, 3, 'garbage');
        // The snapshot covers seq 3: the run loads from it (and the runs row agrees).
        expect(await loadRunState(s, id)).toEqual(fold(events, 5));
        await ctx.factory.corruptSnapshots(s, id, 'null');
        const warnings: KestrionError[] = [];
        await expect(loadRunState(s, id, { onWarning: (w) => warnings.push(w) })).rejects.toThrow(
          /corrupt at seq 3: unparsable payload/,
        );
        expect(warnings).toHaveLength(1);
      });
    });

    describe('event data and envelopes refused at append, with nothing written', () => {
      class Money {
        constructor(readonly cents: number) {}
      }
      const cyclic: Record<string, unknown> = { name: 'loop' };
      cyclic.self = { again: cyclic };
      it.each<[string, unknown, RegExp]>([
        [
          'a Date',
          { args: { items: [1, 2, 3, { when: new Date(0) }] } },
          /data\.args\.items\[3\]\.when is a Date/,
        ],
        ['undefined', { a: { b: undefined } }, /data\.a\.b is undefined/],
        ['undefined in an array', { list: [1, undefined] }, /data\.list\[1\] is undefined/],
        ['a sparse array', { list: [1, , 3] }, /data\.list\[1\] is a hole in a sparse array/], // eslint-disable-line no-sparse-arrays
        ['a BigInt', { n: 10n }, /data\.n is a BigInt/],
        ['NaN', { score: Number.NaN }, /data\.score is NaN/],
        ['Infinity', { score: Number.POSITIVE_INFINITY }, /data\.score is Infinity/],
        ['a Map', { m: new Map([['a', 1]]) }, /data\.m is a Map/],
        ['a Set', { s: new Set([1]) }, /data\.s is a Set/],
        ['a function', { f: () => 1 }, /data\.f is a function/],
        ['a symbol', { s: Symbol('x') }, /data\.s is a symbol/],
        ['a class instance', { price: new Money(5) }, /data\.price is an instance of Money/],
        ['a cycle', { root: cyclic }, /data\.root\.self\.again refers back to data\.root \(a cycle\)/],
        ['an odd key', { 'two words': new Date(0) }, /data\["two words"\] is a Date/],
        ['undefined data', undefined, /data is undefined/],
      ])('refuses %s with InvalidEventDataError naming run, type and path', async (_label, data, message) => {
        const s = ctx.store();
        const id = ctx.newRunId();
        await s.append(id, 0, [started()]);
        const err = await s
          .append(id, 1, [entered('ok', 1), raw('acme:note.added', data)])
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(InvalidEventDataError);
        expect((err as KestrionError).code).toBe('invalid_event_data');
        expect((err as Error).message).toContain(JSON.stringify(id));
        expect((err as Error).message).toContain('acme:note.added');
        expect((err as Error).message).toMatch(message);
        expect((await s.getRun(id))?.headSeq).toBe(1);
        expect(await readAll(s, id)).toHaveLength(1);
      });

      it('refuses a NaN cost', async () => {
        const s = ctx.store();
        const id = ctx.newRunId();
        await s.append(id, 0, [started()]);
        const bad = { ...ev('llm.completed', { stepKey: '1:0', response: null }), cost: { usd: Number.NaN } };
        await expect(s.append(id, 1, [bad])).rejects.toThrow(/cost\.usd is NaN/);
      });

      it(`accepts data nested ${MAX_EVENT_DATA_DEPTH} levels and refuses one level more (PayloadTooDeepError)`, async () => {
        const s = ctx.store();
        const id = ctx.newRunId();
        await s.append(id, 0, [started()]);
        await s.append(id, 1, [raw('acme:deep', nested(MAX_EVENT_DATA_DEPTH))]);
        const err = await s
          .append(id, 2, [raw('acme:deep', nested(MAX_EVENT_DATA_DEPTH + 1))])
          .catch((e) => e);
        expect(err).toBeInstanceOf(PayloadTooDeepError);
        expect(err).toBeInstanceOf(InvalidEventDataError);
        expect((err as KestrionError).code).toBe('payload_too_deep');
        expect((err as Error).message).toMatch(/data(\.k){64} nests deeper than 64 levels/);
        // Far deeper (a stack overflow for a recursive serializer) is the same typed error.
        await expect(s.append(id, 2, [raw('acme:deep', nested(100_000))])).rejects.toBeInstanceOf(
          PayloadTooDeepError,
        );
        expect((await readAll(s, id)).map((e) => e.seq)).toEqual([1, 2]);
      });

      it.each<[string, Partial<NewEvent>, RegExp]>([
        ['an empty type', { type: '' }, /invalid type: must be a non-empty string/],
        ['a type with spaces', { type: 'note added' }, /invalid type: use letters, digits/],
        ['a type with a control character', { type: 'note\u0000' }, /invalid type: use letters, digits/],
        [
          'a huge type',
          { type: 'x'.repeat(129) },
          /invalid type: 129 characters, over the 128-character limit/,
        ],
        [
          'a type that is not a string',
          { type: 42 as unknown as string },
          /invalid type: must be a non-empty string/,
        ],
        ['__proto__', { type: '__proto__' }, /Object\.prototype member/],
        ['constructor', { type: 'constructor' }, /Object\.prototype member/],
        ['valueOf', { type: 'valueOf' }, /Object\.prototype member/],
        ['toString', { type: 'toString' }, /Object\.prototype member/],
        ['hasOwnProperty', { type: 'hasOwnProperty' }, /Object\.prototype member/],
        [
          'a time that is not ISO-8601',
          { at: 'yesterday' },
          /invalid at: "yesterday" is not an ISO-8601 time/,
        ],
        ['an impossible time', { at: '2026-13-01T00:00:00.000Z' }, /invalid at/],
        ['a time in epoch ms', { at: 1767225600000 as unknown as string }, /invalid at: 1767225600000/],
        ['an empty id', { id: '' }, /invalid id/],
        ['a version of 0', { v: 0 }, /invalid v: must be a positive integer/],
      ])('refuses %s with InvalidEventError', async (_label, patch, message) => {
        const s = ctx.store();
        const id = ctx.newRunId();
        await s.append(id, 0, [started()]);
        const err = await s.append(id, 1, [raw('acme:note', { ok: true }, patch)]).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(InvalidEventError);
        expect((err as KestrionError).code).toBe('invalid_event');
        expect((err as Error).message).toMatch(message);
        expect((err as Error).message).toContain(JSON.stringify(id));
        expect((await s.getRun(id))?.headSeq).toBe(1);
      });

      it('stores extension types that merely contain a prototype member name, and folds them', async () => {
        const s = ctx.store();
        const id = ctx.newRunId();
        await s.append(id, 0, [started()]);
        await s.append(id, 1, [raw('acme:constructor', { a: 1 }), raw('x.__proto__.y', { b: 2 })]);
        expect((await loadRunState(s, id))?.seq).toBe(3);
      });

      it('counts type, time and id in the size limit', async () => {
        const s = await ctx.factory.open({ maxEventBytes: 300 });
        try {
          const id = ctx.newRunId();
          await s.append(id, 0, [started()]);
          // 200 bytes of data fit alone; with a 128-character type they do not.
          const data = { blob: 'x'.repeat(189) };
          expect(JSON.stringify(data)).toHaveLength(200);
          await s.append(id, 1, [raw('acme:small', data)]);
          const err = await s.append(id, 2, [raw(`acme:${'t'.repeat(123)}`, data)]).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(PayloadTooLargeError);
          expect((err as PayloadTooLargeError).bytes).toBeGreaterThan(300);
        } finally {
          await s.close();
        }
      });
    });

    describe('recoverRuns()', () => {
      it('goes on past runs it cannot load and reports each with its typed error', async () => {
        const s = ctx.store();
        const agent = `recover-${randomUUID()}`;
        const graph = defineGraph({
          name: agent,
          start: 'a',
          nodes: { a: () => ({ next: END, output: 'ok' }) },
        });
        const engine = new Engine({ store: s, graph, clock: new FakeClock(Date.now()) });
        const ok1 = await engine.start('one');
        const garbled = await engine.start('garbled');
        await s.append(garbled, 1, [raw('acme:note', { n: 1 })]);
        await ctx.factory.corrupt(s, garbled, 2, 'garbage');
        const truncated = await engine.start('truncated');
        await s.append(truncated, 1, [raw('acme:note', { n: 1 })]);
        await ctx.factory.corrupt(s, truncated, 2, 'gap');
        const unreadable = `bell\u0007${randomUUID()}`;
        await ctx.factory.renameRun(s, await engine.start('renamed'), unreadable);
        const ok2 = await engine.start('two');

        const report = await recoverRuns(engine);

        expect(report.recovered.map((v) => [v.runId, v.status]).sort()).toEqual(
          [
            [ok1, 'completed'],
            [ok2, 'completed'],
          ].sort(),
        );
        const failed = new Map(report.failed.map((f) => [f.runId, f.error]));
        expect(failed.size).toBe(3);
        expect(failed.get(garbled)).toBeInstanceOf(CorruptLogError);
        expect(failed.get(garbled)?.message).toMatch(/corrupt at seq 2: unparsable payload/);
        expect(failed.get(truncated)).toBeInstanceOf(CorruptLogError);
        expect(failed.get(truncated)?.message).toMatch(/ends at seq 1 but the runs row records head seq 2/);
        expect(failed.get(unreadable)).toBeInstanceOf(InvalidRunIdError);
        expect(report.busy).toEqual([]);
        // The runs it recovered really ended.
        expect((await s.getRun(ok1))?.status).toBe('completed');
        expect((await s.getRun(ok2))?.status).toBe('completed');
      });
    });
  });
}

function fold(events: Awaited<ReturnType<typeof readAll>>, n: number): RunState {
  return foldEvents(undefined, events.slice(0, n)) as RunState;
}
