import {
  InvalidListQueryError,
  InvalidRunMetadataError,
  MAX_RUN_METADATA_ENTRIES,
  type ListRunsQuery,
  type RunMetadata,
} from '@kestrion/core';
import { type ContractContext, entered, ev, readAll, started } from './contract-context';

/** Every run id listed by `query`, following the cursor to the end. */
async function listAll(ctx: ContractContext, query: ListRunsQuery): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.store().listRuns({ ...query, ...(cursor ? { cursor } : {}) });
    ids.push(...page.runs.map((r) => r.runId));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

export function metadataContract(ctx: ContractContext): void {
  describe('run metadata', () => {
    it('keeps the metadata of run.started in the runs row, unchanged by every later append, and {} without', async () => {
      const s = ctx.store();
      const id = ctx.newRunId();
      const plain = ctx.newRunId('plain');
      const metadata = { tenant: 'acme', user: 'u1' };
      await s.append(id, 0, [started('meta', { metadata })]);
      await s.append(plain, 0, [started('meta')]);
      expect((await s.getRun(id))?.metadata).toEqual(metadata);
      expect((await s.getRun(plain))?.metadata).toEqual({});
      await s.append(id, 1, [entered('n', 1), ev('run.waiting', { reason: 'input' })]);
      await s.append(id, 3, [ev('run.input', { message: 'more' }), ev('run.completed', { output: 'done' })]);
      expect(await s.getRun(id)).toMatchObject({ status: 'completed', headSeq: 5, metadata });
      // Recorded durably in the first event, as it was given.
      expect((await readAll(s, id))[0]?.data).toMatchObject({ metadata });
    });

    it('lists only the runs holding every entry of the filter, exactly, with a cursor that neither repeats nor skips', async () => {
      const s = ctx.store();
      const agent = `meta-list-${ctx.newRunId()}`;
      const given: Array<[string, RunMetadata | undefined]> = [];
      for (let i = 0; i < 14; i++) {
        const id = ctx.newRunId(`m${i}`);
        const metadata: RunMetadata | undefined =
          i % 7 === 6
            ? undefined
            : {
                tenant: i % 2 === 0 ? 'acme' : 'Acme',
                user: `u${i % 3}`,
                ...(i % 4 === 0 ? { tier: 'gold' } : {}),
              };
        given.push([id, metadata]);
        await s.append(id, 0, [started(agent, metadata ? { metadata } : {})]);
      }
      const expected = (filter: RunMetadata): string[] =>
        given
          .filter(([, m]) => m !== undefined && Object.entries(filter).every(([k, v]) => m[k] === v))
          .map(([id]) => id)
          .reverse();
      for (const filter of <RunMetadata[]>[
        { tenant: 'acme' },
        { tenant: 'Acme' },
        { tenant: 'acme', user: 'u0' },
        { tier: 'gold' },
        { tenant: 'acme', tier: 'gold', user: 'u1' },
        { tenant: 'acm' },
        { nobody: 'acme' },
      ]) {
        expect([filter, await listAll(ctx, { agent, metadata: filter, limit: 2 })]).toEqual([
          filter,
          expected(filter),
        ]);
      }
      // No entries: no condition.
      expect(await listAll(ctx, { agent, metadata: {}, limit: 5 })).toHaveLength(14);
      // Combines with the other filters.
      const first = given[0]?.[0] as string;
      await s.append(first, 1, [ev('run.completed', { output: 'x' })]);
      expect(await listAll(ctx, { agent, metadata: { tenant: 'acme' }, status: 'completed' })).toEqual([
        first,
      ]);
    });

    it('compares keys and values as data: quotes, dots, dollars, JSON-looking text and non-ASCII', async () => {
      const s = ctx.store();
      const agent = `meta-odd-${ctx.newRunId()}`;
      const odd = {
        'a"b': 'x"y',
        'a.b': '$.c',
        $: '{"tenant":"acme"}',
        ключ: '値 🚀',
        ' spaced ': '',
      };
      const id = ctx.newRunId();
      await s.append(id, 0, [started(agent, { metadata: odd })]);
      await s.append(ctx.newRunId(), 0, [started(agent, { metadata: { tenant: 'acme' } })]);
      expect((await s.getRun(id))?.metadata).toEqual(odd);
      for (const [key, value] of Object.entries(odd)) {
        expect(await listAll(ctx, { agent, metadata: { [key]: value } })).toEqual([id]);
        expect(await listAll(ctx, { agent, metadata: { [key]: `${value}.` } })).toEqual([]);
      }
      expect(await listAll(ctx, { agent, metadata: odd })).toEqual([id]);
      // A value that looks like JSON is a string, not the object it spells.
      expect(await listAll(ctx, { agent, metadata: { tenant: '"acme"' } })).toEqual([]);
    });

    it.each<[string, unknown, RegExp]>([
      ['a number value', { tenant: 7 }, /key "tenant" has a number value; values must be strings/],
      ['a nested object', { tenant: { id: 'a' } }, /key "tenant" has an object value/],
      ['an array', ['acme'], /must be an object of string keys to string values, not an array/],
      ['an empty key', { '': 'x' }, /key "" is 0 characters; keys are 1 to 64 characters/],
      ['a key of 65 characters', { ['k'.repeat(65)]: 'x' }, /is 65 characters; keys are 1 to 64/],
      [
        'a value of 513 characters',
        { k: 'v'.repeat(513) },
        /its value is 513 characters; values are at most 512/,
      ],
      ['a control character', { k: 'line\nbreak' }, /control character/],
      ['a lone surrogate', { k: 'x\uD800' }, /lone UTF-16 surrogate/],
      [
        'too many entries',
        Object.fromEntries(Array.from({ length: MAX_RUN_METADATA_ENTRIES + 1 }, (_, i) => [`k${i}`, 'v'])),
        /has 33 entries, over the limit of 32/,
      ],
    ])('refuses run metadata with %s, naming the fix, and writes nothing', async (_, metadata, message) => {
      const s = ctx.store();
      const id = ctx.newRunId();
      const refused = await s.append(id, 0, [started('meta', { metadata: metadata as RunMetadata })]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(InvalidRunMetadataError);
      expect((refused as InvalidRunMetadataError).code).toBe('invalid_run_metadata');
      expect((refused as Error).message).toMatch(message);
      expect(await s.getRun(id)).toBeUndefined();
      // The same filter is refused by listRuns, as a query that cannot match.
      await expect(s.listRuns({ metadata: metadata as RunMetadata })).rejects.toBeInstanceOf(
        InvalidListQueryError,
      );
    });

    it('accepts metadata at the limits', async () => {
      const s = ctx.store();
      const id = ctx.newRunId();
      const metadata = Object.fromEntries(
        Array.from({ length: MAX_RUN_METADATA_ENTRIES }, (_, i) => [`${i}`.padEnd(64, 'k'), 'v'.repeat(512)]),
      );
      await s.append(id, 0, [started('meta', { metadata })]);
      expect((await s.getRun(id))?.metadata).toEqual(metadata);
      expect((await s.listRuns({ metadata })).runs.map((r) => r.runId)).toEqual([id]);
    });
  });
}
