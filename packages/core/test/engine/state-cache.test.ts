import {
  CorruptLogError,
  END,
  Engine,
  FakeClock,
  InMemoryStore,
  type Store,
  defineGraph,
  type Graph,
} from '@kestrion/core';

function gated(effects: string[]): Graph {
  return defineGraph({
    name: 'gated',
    start: 'act',
    tools: [
      {
        name: 'deploy',
        requiresApproval: true,
        invoke: (args) => {
          effects.push(`deploy ${JSON.stringify(args)}`);
          return 'ok';
        },
      },
    ],
    nodes: {
      act: async (ctx) => ({ next: END, output: (await ctx.callTool('deploy', { v: ctx.input })).status }),
    },
  });
}

/** Counts the calls of one read of the store (`loadSnapshot`: the reads that fold a run). */
function countingCalls(
  store: Store,
  method: 'loadSnapshot' | 'getRun',
): { store: Store; calls: () => number } {
  let n = 0;
  const counted = Object.create(store) as Store;
  const read = store[method].bind(store) as (...a: unknown[]) => unknown;
  Object.assign(counted, {
    [method]: (...a: unknown[]) => {
      n += 1;
      return read(...a);
    },
  });
  return { store: counted, calls: () => n };
}

describe("the engine's cache of run states", () => {
  it('folds a run once for an approve followed by a resume in the same process', async () => {
    const effects: string[] = [];
    const { store, calls: reads } = countingCalls(new InMemoryStore(), 'loadSnapshot');
    const starter = new Engine({ store, graph: gated(effects), clock: new FakeClock() });
    const parked = await starter.run(null);
    const engine = new Engine({ store, graph: gated(effects), clock: new FakeClock() });
    const before = reads();
    await engine.approve(parked.runId, { by: 'alice' });
    const done = await engine.resume(parked.runId);
    expect(done.status).toBe('completed');
    expect(effects).toEqual(['deploy {"v":null}']);
    expect(reads() - before).toBe(1);
  });

  it('never uses a state another process has moved past', async () => {
    const effects: string[] = [];
    const store = new InMemoryStore();
    const a = new Engine({ store, graph: gated(effects), clock: new FakeClock() });
    const b = new Engine({ store, graph: gated(effects), clock: new FakeClock() });
    const parked = await a.run(null); // a remembers the parked state
    await b.approve(parked.runId, { by: 'bob' }); // the head moves elsewhere
    expect((await a.get(parked.runId)).pending).toEqual([]);
    const done = await a.resume(parked.runId);
    expect(done.status).toBe('completed');
    expect(effects).toEqual(['deploy {"v":null}']);
    // And a state a remembers after its own work is dropped once b appends again.
    const second = await a.run(null);
    await b.reject(second.runId, { by: 'bob', reason: 'no' });
    expect((await a.resume(second.runId)).status).not.toBe('waiting_on_human');
    expect(effects).toEqual(['deploy {"v":null}']);
  });

  it('does not drive again a run it approved that another process drove to its end', async () => {
    const effects: string[] = [];
    const store = new InMemoryStore();
    const a = new Engine({ store, graph: gated(effects), clock: new FakeClock() });
    const b = new Engine({ store, graph: gated(effects), clock: new FakeClock() });
    const parked = await a.run(null);
    await a.approve(parked.runId, { by: 'alice' }); // a remembers a state it could drive
    expect((await b.resume(parked.runId)).status).toBe('completed');
    const view = await a.resume(parked.runId);
    expect(view.status).toBe('completed');
    expect(effects).toEqual(['deploy {"v":null}']);
    expect(await store.getRun(parked.runId)).toMatchObject({ leaseOwner: null }); // the lease a took is released
  });

  it('drives a run it just started from the run.started it appended: no read of the row or the log', async () => {
    const effects: string[] = [];
    const rows = countingCalls(new InMemoryStore(), 'getRun');
    const { store, calls: folds } = countingCalls(rows.store, 'loadSnapshot');
    const engine = new Engine({ store, graph: gated(effects), clock: new FakeClock() });
    const parked = await engine.run(7);
    expect(parked.status).toBe('waiting_on_human');
    expect(folds()).toBe(0);
    expect(rows.calls()).toBe(0);
  });

  it('folds the log when the head moved between the start and the lease (another process appended)', async () => {
    const effects: string[] = [];
    const inner = new InMemoryStore();
    const clock = new FakeClock();
    const elsewhere = new Engine({ store: inner, graph: gated(effects), clock });
    // Another process cancels the run after its run.started, before this engine's lease.
    const store = Object.create(inner) as Store;
    Object.assign(store, {
      acquireLease: async (...a: Parameters<Store['acquireLease']>) => {
        await elsewhere.cancel(a[0], 'ops', 'changed our mind');
        return inner.acquireLease(...a);
      },
    });
    const engine = new Engine({ store, graph: gated(effects), clock });
    const view = await engine.run(1);
    expect(view.status).toBe('cancelled');
    expect(effects).toEqual([]);
  });

  it('does not take a run purged and started again under the same id for the old one', async () => {
    const effects: string[] = [];
    const store = new InMemoryStore();
    const clock = new FakeClock();
    const here = new Engine({ store, graph: gated(effects), clock });
    const elsewhere = new Engine({ store, graph: gated(effects), clock });
    const old = await here.run('old', { runId: 'order-1' }); // remembered here at its park
    await store.purgeRun('order-1');
    clock.advance(1000);
    const again = await elsewhere.run('new', { runId: 'order-1' });
    expect(again.eventCount).toBe(old.eventCount); // same id, same head seq, another run
    await here.approve('order-1', { by: 'alice' });
    expect((await here.resume('order-1')).status).toBe('completed');
    expect(effects).toEqual(['deploy {"v":"new"}']);
  });
});

describe('a decision on a state the engine does not remember', () => {
  it('folds the log without reading the runs row first: its append is fenced at the head', async () => {
    const effects: string[] = [];
    const inner = new InMemoryStore();
    const parked = await new Engine({ store: inner, graph: gated(effects) }).run('a');
    const { store, calls: rowReads } = countingCalls(inner, 'getRun');
    const view = await new Engine({ store, graph: gated(effects) }).approve(parked.runId, { by: 'alice' });
    expect(view.pending).toEqual([]);
    expect(view.status).toBe('pending');
    expect(rowReads()).toBe(0);
  });

  it('is refused as a corrupt log, with nothing appended, when the log ends before its runs row', async () => {
    const effects: string[] = [];
    const store = new InMemoryStore();
    const parked = await new Engine({ store, graph: gated(effects) }).run('a');
    // The log loses its last event (run.waiting) and the snapshot taken at the park; the runs
    // row still records the head.
    const internals = store as unknown as { rows: Map<string, unknown[]>; snapshots: Map<string, unknown> };
    internals.rows.get(parked.runId)?.pop();
    internals.snapshots.delete(parked.runId);
    const fresh = new Engine({ store, graph: gated(effects) });
    const error = await fresh.approve(parked.runId, { by: 'alice' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptLogError);
    expect((error as Error).message).toMatch(/the log ends at seq \d+ but the runs row records head seq \d+/);
    expect((await store.getRun(parked.runId))?.headSeq).toBe(parked.eventCount);
    expect(effects).toEqual([]);
  });
});
