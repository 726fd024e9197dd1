import {
  END,
  Engine,
  FakeClock,
  InMemoryQuotaStore,
  InMemoryStore,
  type Lease,
  defineGraph,
  withQuota,
} from '@kestrion/core';
import { ScriptedProvider } from '@kestrion/core/provider-kit';

/**
 * A full provider quota parks the run instead of failing it or holding a worker: `run.throttled`
 * is appended, the lease is handed back, the row is not claimable before the bucket has room,
 * and the node runs again then. The trace shows the wait.
 */
describe('a model call denied by a full quota', () => {
  function setup() {
    const clock = new FakeClock(Date.parse('2026-12-06T00:00:00Z'));
    const store = new InMemoryStore();
    const quota = new InMemoryQuotaStore();
    const scripted = new ScriptedProvider(Array.from({ length: 4 }, (_, i) => ({ text: `answer ${i}` })));
    const provider = withQuota(scripted, { quota, limits: { '*': { requestsPerMinute: 1 } }, clock });
    const effects: string[] = [];
    const graph = defineGraph({
      name: 'asker',
      start: 'ask',
      tools: [{ name: 'note', invoke: (args) => (effects.push(JSON.stringify(args)), 'ok') }],
      nodes: {
        ask: async (ctx) => {
          await ctx.callTool('note', { before: ctx.input });
          const r = await ctx.callModel({
            model: 'm',
            messages: [{ role: 'user', content: String(ctx.input) }],
          });
          return { next: END, output: r.text };
        },
      },
    });
    const engine = new Engine({ store, clock, graph, provider, owner: 'worker-1' });
    const claim = (now = clock.now()) =>
      store.claimNext({ owner: 'worker-1', ttlMs: 30_000, now, agents: ['asker'] });
    return { clock, store, engine, effects, claim, scripted };
  }

  it('parks the second run until the window has room, releases its lease, and completes it after', async () => {
    const s = setup();
    const first = await s.engine.run('one');
    expect(first.status).toBe('completed');

    const runId = await s.engine.start('two');
    const lease = (await s.claim()) as Lease;
    const parked = await s.engine.drive(lease);
    expect(parked.status).toBe('pending');
    expect(parked.throttled?.bucket).toBe('scripted:m');
    const until = parked.throttled?.untilMs as number;
    // The window rule: the first request counts until 60 s after it settled.
    expect(until).toBeGreaterThanOrEqual(s.clock.now() + 60_000);
    const row = await s.store.getRun(runId);
    expect(row).toMatchObject({ status: 'pending', runnable: false, nextDueAtMs: until, leaseOwner: null });
    // Nothing to claim before its time; a resume in the meantime does nothing either.
    expect(await s.claim(until - 1)).toBeUndefined();

    s.clock.advance(until - s.clock.now());
    const again = (await s.claim()) as Lease;
    expect(again.runId).toBe(runId);
    const done = await s.engine.drive(again);
    expect(done.status).toBe('completed');
    expect(done.output).toBe('answer 1');
    expect(done.throttled).toBeUndefined();
    // The tool before the model call ran once: its result was journaled before the throttle.
    expect(s.effects).toEqual(['{"before":"one"}', '{"before":"two"}']);

    const trace = await s.engine.trace(runId);
    const waits = trace.spans.filter((x) => x.kind === 'wait');
    expect(waits).toEqual([
      expect.objectContaining({
        kind: 'wait',
        reason: 'quota',
        bucket: 'scripted:m',
        node: 'ask',
        durationMs: until - Date.parse('2026-12-06T00:00:00Z'),
      }),
    ]);
  });
});
