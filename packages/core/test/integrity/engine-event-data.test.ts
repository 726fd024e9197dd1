import {
  CorruptSnapshotError,
  END,
  Engine,
  FakeClock,
  InMemoryStore,
  type Json,
  type KestrionError,
  type StoredEvent,
  defineGraph,
} from '@kestrion/core';
import { FOLD_VERSION } from '@kestrion/core/store-kit';

function nested(levels: number): Json {
  let v: Json = 'leaf';
  for (let i = 0; i < levels; i++) v = { k: v };
  return v;
}

async function events(store: InMemoryStore, runId: string): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of store.readEvents(runId)) out.push(e);
  return out;
}

describe('event data the engine cannot store faithfully', () => {
  it.each([
    ['an idempotent tool returning a Date', true],
    ['a tool returning a Date', false],
  ])('fails the run on %s, naming the path, and stores no converted value', async (_label, idempotent) => {
    const store = new InMemoryStore();
    const effects: string[] = [];
    const graph = defineGraph({
      name: 'dates',
      start: 'a',
      tools: [
        {
          name: 'when',
          idempotent,
          invoke: () => {
            effects.push('ran');
            return { items: [{ when: new Date(0) }] } as unknown as Json;
          },
        },
      ],
      nodes: { a: async (ctx) => ({ next: END, output: (await ctx.callTool('when', {})).status }) },
    });
    const engine = new Engine({ store, graph, clock: new FakeClock() });
    const view = await engine.run(null);
    expect(view.status).toBe('failed');
    const log = await events(store, view.runId);
    const failed = log.find((e) => e.type === 'run.failed');
    expect(failed?.data).toMatchObject({
      error: {
        code: 'invalid_event_data',
        message: expect.stringMatching(/event tool\.completed data\.result\.items\[0\]\.when is a Date/),
      },
    });
    expect(log.some((e) => e.type === 'tool.completed')).toBe(false);
    expect(effects).toEqual(['ran']);
  });

  it('fails the run when a node asks for a tool with arguments nested too deep (PayloadTooDeepError)', async () => {
    const store = new InMemoryStore();
    const effects: string[] = [];
    const graph = defineGraph({
      name: 'deep',
      start: 'a',
      tools: [{ name: 'noop', invoke: () => effects.push('ran') }],
      nodes: { a: async (ctx) => ({ next: END, output: (await ctx.callTool('noop', nested(80))).status }) },
    });
    const view = await new Engine({ store, graph, clock: new FakeClock() }).run(null);
    expect(view.status).toBe('failed');
    const failed = (await events(store, view.runId)).find((e) => e.type === 'run.failed');
    expect(failed?.data).toMatchObject({
      error: { code: 'payload_too_deep', message: expect.stringContaining('tool.requested data.args.k.k') },
    });
    expect(effects).toEqual([]);
  });
});

describe('a corrupt snapshot under the engine', () => {
  it('is reported to onWarning and the run is driven from its log', async () => {
    const store = new InMemoryStore();
    const graph = defineGraph({
      name: 'two-steps',
      start: 'a',
      nodes: {
        a: () => ({ next: 'b', patch: { set: { a: 1 } } }),
        b: (ctx) =>
          ctx.inbox.length > 0 ? { next: END, output: ctx.state.a ?? null } : { waitForInput: true },
      },
    });
    const warnings: KestrionError[] = [];
    const starter = new Engine({ store, graph, clock: new FakeClock() });
    const parked = await starter.run(null); // parks waiting for input, with a snapshot
    expect(await store.loadSnapshot(parked.runId, FOLD_VERSION)).toBeDefined();
    // Damage the snapshot behind the store's back (the fake keeps it as JSON text).
    const snaps = (store as unknown as { snapshots: Map<string, Array<{ json: string }>> }).snapshots;
    for (const s of snaps.get(parked.runId) ?? []) s.json = '{"runId":';
    const engine = new Engine({ store, graph, clock: new FakeClock(), onWarning: (w) => warnings.push(w) });
    const done = await engine.send(parked.runId, 'go').then(() => engine.resume(parked.runId));
    expect(done).toMatchObject({ status: 'completed', output: 1 });
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings[0]).toBeInstanceOf(CorruptSnapshotError);
  });
});
