import {
  END,
  Engine,
  InMemoryStore,
  InvalidRunMetadataError,
  defineGraph,
  type NewEvent,
  type Store,
} from '@kestrion/core';

const graph = defineGraph({
  name: 'labelled',
  start: 'wait',
  nodes: {
    // Two visits, then the end: a run with a few events to fork from.
    wait: async (ctx) =>
      ctx.state.asked ? { next: END, output: 'done' } : { next: 'wait', patch: { set: { asked: true } } },
  },
});

/** A Store that writes whatever it is given: proves the engine checks metadata itself. */
function unchecked(store: Store): Store & { appended: NewEvent[][] } {
  const appended: NewEvent[][] = [];
  return Object.assign(Object.create(store) as Store, {
    appended,
    append: (runId: string, seq: number, events: NewEvent[]) => {
      appended.push(events);
      return store.append(runId, seq, events);
    },
  });
}

describe('run metadata through the engine', () => {
  it('records metadata in run.started and the runs row, and lists runs by it', async () => {
    const store = new InMemoryStore();
    const engine = new Engine({ store, graph });
    const acme = await engine.run('a', { metadata: { tenant: 'acme', user: 'u1' } });
    await engine.run('b', { metadata: { tenant: 'globex', user: 'u1' } });
    const plain = await engine.run('c');
    const events = [];
    for await (const e of store.readEvents(acme.runId)) events.push(e);
    expect(events[0]).toMatchObject({ seq: 1, type: 'run.started', data: { metadata: { tenant: 'acme' } } });
    expect((await store.getRun(acme.runId))?.metadata).toEqual({ tenant: 'acme', user: 'u1' });
    expect((await store.getRun(plain.runId))?.metadata).toEqual({});
    const byTenant = await store.listRuns({ metadata: { tenant: 'acme' } });
    expect(byTenant.runs.map((r) => r.runId)).toEqual([acme.runId]);
    expect((await store.listRuns({ metadata: { user: 'u1' } })).runs).toHaveLength(2);
  });

  it('writes no metadata field for no or empty metadata (the event stays as older versions wrote it)', async () => {
    const store = unchecked(new InMemoryStore());
    const engine = new Engine({ store, graph });
    await engine.start('x');
    await engine.start('y', { metadata: {} });
    for (const [first] of store.appended) expect(first?.data).not.toHaveProperty('metadata');
  });

  it('gives a fork its source run’s metadata: the fork copies the first event as it is', async () => {
    const store = new InMemoryStore();
    const engine = new Engine({ store, graph });
    const source = await engine.run('a', { metadata: { tenant: 'acme' } });
    const forkId = await engine.fork(source.runId, 1);
    expect((await store.getRun(forkId))?.metadata).toEqual({ tenant: 'acme' });
    const listed = await store.listRuns({ metadata: { tenant: 'acme' } });
    expect(listed.runs.map((r) => r.runId).sort()).toEqual([source.runId, forkId].sort());
  });

  it('refuses invalid metadata before anything is written, on any store', async () => {
    const store = unchecked(new InMemoryStore());
    const engine = new Engine({ store, graph });
    const refused = await engine.start('x', { runId: 'r-bad', metadata: { tenant: 42 } as never }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(InvalidRunMetadataError);
    expect((refused as Error).message).toBe(
      'run "r-bad": metadata key "tenant" has a number value; values must be strings (String(x) for a number or a boolean)',
    );
    expect(store.appended).toEqual([]);
    expect(await store.getRun('r-bad')).toBeUndefined();
  });
});
