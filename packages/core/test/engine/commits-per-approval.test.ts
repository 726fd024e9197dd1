import { END, Engine, InMemoryStore, type Lease, type Store, defineGraph } from '@kestrion/core';

/**
 * The durable commits an approve + resume costs, counted at the Store port (every append,
 * lease, renewal, release and claim is one transaction in the SQL stores). The bar (issue 14):
 * at most 4 for a run with one non-idempotent gated call — the decision, the lease, the call's
 * `tool.started` (durable before the side effect), and its result with the run's end.
 */
function countingStore(inner: Store): { store: Store; commits: string[] } {
  const commits: string[] = [];
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const name = String(prop);
      return (...args: unknown[]) => {
        if (name === 'append')
          commits.push(`append ${(args[2] as { type: string }[]).map((e) => e.type).join('+')}`);
        else if (['acquireLease', 'renewLease', 'releaseLease', 'claimNext'].includes(name))
          commits.push(name);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, commits };
}

describe('durable commits per approve + resume', () => {
  function setup() {
    const { store, commits } = countingStore(new InMemoryStore());
    const effects: string[] = [];
    const engine = new Engine({
      store,
      graph: defineGraph({
        name: 'payer',
        start: 'pay',
        tools: [
          {
            name: 'pay',
            requiresApproval: true,
            invoke: (args) => (effects.push(JSON.stringify(args)), 'paid'),
          },
        ],
        nodes: {
          pay: async (ctx) => ({ next: END, output: (await ctx.callTool('pay', { amount: 5 })).status }),
        },
      }),
    });
    return { store, commits, effects, engine };
  }

  async function parked(s: ReturnType<typeof setup>) {
    const view = await s.engine.run('go');
    expect(view.status).toBe('waiting_on_human');
    s.commits.length = 0;
    const p = view.pending[0];
    return { runId: view.runId, callId: p?.callId as string, argsHash: p?.argsHash as string };
  }

  it('costs 4 commits when a process approves and resumes', async () => {
    const s = setup();
    const { runId, callId, argsHash } = await parked(s);
    await s.engine.approve(runId, { callId, by: 'alice', argsHash });
    const done = await s.engine.resume(runId);
    expect(done.status).toBe('completed');
    expect(s.effects).toEqual(['{"amount":5}']);
    expect(s.commits).toEqual([
      'append approval.granted',
      'acquireLease',
      'append tool.started',
      'append tool.completed+run.completed',
    ]);
  });

  it('costs 4 commits when a worker claims the decided run', async () => {
    const s = setup();
    const { runId, callId, argsHash } = await parked(s);
    await s.engine.approve(runId, { callId, by: 'alice', argsHash });
    const lease = (await s.store.claimNext({
      owner: 'w',
      ttlMs: 30_000,
      now: Date.now(),
      agents: ['payer'],
    })) as Lease;
    expect(lease.runId).toBe(runId);
    expect((await s.engine.drive(lease)).status).toBe('completed');
    expect(s.commits).toEqual([
      'append approval.granted',
      'claimNext',
      'append tool.started',
      'append tool.completed+run.completed',
    ]);
  });
});
