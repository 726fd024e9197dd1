import { END, Engine, FakeClock, InMemoryStore, defineGraph, type Lease } from '@kestrion/core';

/**
 * `drive(lease, observer, { stopBetweenSteps })`: what a worker does on SIGTERM. The node in
 * flight finishes, its effects and transition are durable, no further node starts, and the
 * lease is handed back at once so another worker continues exactly there.
 */
describe('Engine.drive with stopBetweenSteps', () => {
  function setup() {
    const store = new InMemoryStore();
    const clock = new FakeClock(Date.parse('2026-12-06T00:00:00Z'));
    const effects: string[] = [];
    const stop = new AbortController();
    const graph = defineGraph({
      name: 'three-steps',
      start: 'a',
      tools: [{ name: 'charge', invoke: (args) => (effects.push(`charge ${JSON.stringify(args)}`), 'ok') }],
      nodes: {
        a: async (ctx) => {
          await ctx.callTool('charge', { step: 'a' });
          // SIGTERM arrives while this node is in flight.
          stop.abort();
          return { next: 'b', patch: { set: { a: true } } };
        },
        b: async (ctx) => {
          await ctx.callTool('charge', { step: 'b' });
          return { next: 'c' };
        },
        c: () => ({ next: END, output: 'done' }),
      },
    });
    const engine = (owner: string) => new Engine({ store, clock, graph, owner });
    return { store, clock, effects, stop, engine };
  }

  async function claim(s: ReturnType<typeof setup>, owner: string): Promise<Lease | undefined> {
    return s.store.claimNext({ owner, ttlMs: 30_000, now: s.clock.now(), agents: ['three-steps'] });
  }

  it('finishes the node in flight, commits its deferred transition, starts no other and releases the lease', async () => {
    const s = setup();
    const first = s.engine('worker-1');
    const runId = await first.start('go');
    const lease = (await claim(s, 'worker-1')) as Lease;
    const view = await first.drive(lease, undefined, { stopBetweenSteps: s.stop.signal });

    expect(view.status).not.toBe('completed');
    expect(s.effects).toEqual(['charge {"step":"a"}']);
    // Node a's transition (deferred behind its tool call) is in the log, not only in memory.
    const types: string[] = [];
    for await (const e of s.store.readEvents(runId)) types.push(e.type);
    expect(types.filter((t) => t === 'node.entered')).toHaveLength(2);
    // The lease was released, not left to lapse: another worker claims the run right now.
    const next = await claim(s, 'worker-2');
    expect(next?.runId).toBe(runId);

    const done = await s.engine('worker-2').drive(next as Lease);
    expect(done.status).toBe('completed');
    expect(done.output).toBe('done');
    // Node a did not run again; b ran once.
    expect(s.effects).toEqual(['charge {"step":"a"}', 'charge {"step":"b"}']);
  });

  it('drives to the end when the signal is never aborted', async () => {
    const s = setup();
    const runId = await s.engine('worker-1').start('go');
    const lease = (await claim(s, 'worker-1')) as Lease;
    const view = await s
      .engine('worker-1')
      .drive(lease, undefined, { stopBetweenSteps: new AbortController().signal });
    expect(view.runId).toBe(runId);
    expect(view.status).toBe('completed');
  });
});
