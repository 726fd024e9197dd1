import {
  ApprovalMismatchError,
  ConfigurationError,
  END,
  Engine,
  InMemoryStore,
  InvalidInputError,
  defineGraph,
  type ApprovalRequirement,
  type Graph,
  type Json,
  type StoredEvent,
} from '@kestrion/core';
import { jsonHash } from '@kestrion/core/provider-kit';
import { batchGraph } from './approval-fixtures';

/** A graph whose one node scales a deployment through `scale`, gated by `policy`. */
function scaleGraph(effects: Json[], policy: ApprovalRequirement, allowSameApprover = false): Graph {
  return defineGraph({
    name: 'scale',
    start: 'act',
    tools: [
      {
        name: 'scale',
        requiresApproval: policy,
        allowSameApprover,
        invoke: (args) => {
          effects.push(args);
          return { scaled: args };
        },
      },
    ],
    nodes: {
      act: async (ctx) => ({
        next: END,
        output: (await ctx.callTool('scale', { replicas: 3 })) as unknown as Json,
      }),
    },
  });
}

const byReplicas: ApprovalRequirement = (args) =>
  (args as { replicas: number }).replicas > 1000 ? ['lead', 'director'] : 'sre';

async function events(store: InMemoryStore, runId: string): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of store.readEvents(runId)) out.push(e);
  return out;
}

describe('a grant authorises one execution of one call in one run', () => {
  it('a fork after the grant asks again: 3 forks + the original run the tool once', async () => {
    const store = new InMemoryStore();
    const effects: string[] = [];
    const engine = new Engine({ store, graph: batchGraph(effects, [{ tool: 'deploy', args: { n: 1 } }]) });
    const parked = await engine.run('go');
    const approved = await engine.approve(parked.runId, { by: 'alice' });
    const forks = await Promise.all([1, 2, 3].map(() => engine.fork(parked.runId, approved.eventCount)));
    expect((await engine.resume(parked.runId)).status).toBe('completed');
    for (const fork of forks) {
      const view = await engine.resume(fork);
      expect(view.status).toBe('waiting_on_human');
      expect(view.pending.map((p) => p.tool)).toEqual(['deploy']);
      const forked = (await events(store, fork)).find((e) => e.type === 'run.forked');
      expect(forked?.data).toMatchObject({ revokedApprovals: [view.pending[0]?.callId] });
    }
    expect(effects).toEqual(['deploy:{"n":1}']);
    // Approved again in a fork, it runs there: a new decision for a new run.
    await engine.approve(forks[0] as string, { by: 'bob' });
    expect((await engine.resume(forks[0] as string)).status).toBe('completed');
    expect(effects).toHaveLength(2);
  });

  it('a fork taken mid-chain does not keep the grants made so far', async () => {
    const store = new InMemoryStore();
    const effects: Json[] = [];
    const engine = new Engine({ store, graph: scaleGraph(effects, ['sre', 'lead']) });
    const parked = await engine.run('go');
    const half = await engine.approve(parked.runId, { by: 'sam', role: 'sre' });
    const fork = await engine.fork(parked.runId, half.eventCount);
    const view = await engine.resume(fork);
    expect(view.pending[0]).toMatchObject({
      approvedBy: [],
      requiredRoles: ['sre', 'lead'],
      nextRole: 'sre',
    });
    await expect(engine.approve(fork, { by: 'lee', role: 'lead' })).rejects.toBeInstanceOf(
      ApprovalMismatchError,
    );
    expect(effects).toEqual([]);
  });
});

describe('an edit is checked against the policy on the arguments that will run', () => {
  it('an SRE editing 3 replicas to 5,000 needs lead then director before anything runs', async () => {
    const store = new InMemoryStore();
    const effects: Json[] = [];
    const engine = new Engine({ store, graph: scaleGraph(effects, byReplicas) });
    const parked = await engine.run('go');
    expect(parked.pending[0]?.requiredRoles).toEqual(['sre']);
    const edited = await engine.approve(parked.runId, { by: 'sam', role: 'sre', args: { replicas: 5000 } });
    expect(edited.status).toBe('waiting_on_human');
    expect(edited.pending[0]).toMatchObject({
      args: { replicas: 5000 },
      requiredRoles: ['lead', 'director'],
      approvedBy: [],
      nextRole: 'lead',
    });
    expect((await engine.resume(parked.runId)).status).toBe('waiting_on_human');
    expect(effects).toEqual([]);
    await engine.approve(parked.runId, { by: 'lee', role: 'lead' });
    expect(effects).toEqual([]);
    await engine.approve(parked.runId, { by: 'dee', role: 'director' });
    expect((await engine.resume(parked.runId)).status).toBe('completed');
    expect(effects).toEqual([{ replicas: 5000 }]);
  });

  it('an edit by the role the edited arguments need counts as its first step', async () => {
    const effects: Json[] = [];
    const engine = new Engine({ store: new InMemoryStore(), graph: scaleGraph(effects, byReplicas) });
    const parked = await engine.run('go');
    const edited = await engine.approve(parked.runId, { by: 'sam', role: 'sre', args: { replicas: 5 } });
    expect(edited.status).toBe('pending');
    expect((await engine.resume(parked.runId)).status).toBe('completed');
    expect(effects).toEqual([{ replicas: 5 }]);
  });

  it('a grant for the small request never runs the big one, even when forged as complete', async () => {
    const store = new InMemoryStore();
    const effects: Json[] = [];
    const engine = new Engine({ store, graph: scaleGraph(effects, byReplicas) });
    const parked = await engine.run('go');
    const call = parked.pending[0]!;
    const head = (await store.getRun(parked.runId))!.headSeq;
    // A v1-style edit: no chain for the edited arguments, claims to complete the old one.
    await store.append(parked.runId, head, [
      {
        id: 'forged',
        type: 'approval.granted',
        v: 1,
        at: new Date().toISOString(),
        data: {
          callId: call.callId,
          tool: 'scale',
          by: 'sam',
          role: 'sre',
          argsHash: call.argsHash,
          editedArgs: { replicas: 5000 },
          editedArgsHash: jsonHash({ replicas: 5000 }),
          complete: true,
        },
      },
    ]);
    const done = await engine.resume(parked.runId);
    expect(done.output).toMatchObject({ status: 'failed', error: { code: 'approval_mismatch' } });
    expect(effects).toEqual([]);
  });
});

describe('a policy that is not a requirement fails closed', () => {
  it.each([
    ['undefined', undefined],
    ['an empty chain', []],
    ['a number', 3],
    ['an empty role', ''],
  ])('a policy function returning %s fails the run naming the tool, and nothing runs', async (_, value) => {
    const effects: Json[] = [];
    const engine = new Engine({
      store: new InMemoryStore(),
      graph: scaleGraph(effects, (() => value) as unknown as ApprovalRequirement),
    });
    const view = await engine.run('go');
    expect(view.status).toBe('failed');
    expect(view.error).toMatchObject({ code: 'configuration' });
    expect(view.error?.message).toContain('tool scale');
    expect(effects).toEqual([]);
  });

  it('a static policy that is not a requirement is refused when the engine is built', () => {
    expect(
      () =>
        new Engine({
          store: new InMemoryStore(),
          graph: scaleGraph([], [] as unknown as ApprovalRequirement),
        }),
    ).toThrow(ConfigurationError);
  });
});

describe('decisions are validated', () => {
  async function parkedScale(policy: ApprovalRequirement = true, allowSameApprover = false) {
    const effects: Json[] = [];
    const engine = new Engine({
      store: new InMemoryStore(),
      graph: scaleGraph(effects, policy, allowSameApprover),
    });
    return { engine, effects, parked: await engine.run('go') };
  }

  it.each([
    ['an empty by', { by: '' }],
    ['a blank by', { by: '   ' }],
    ['a missing by', {}],
    ['a numeric by', { by: 42 }],
    ['a non-string role', { by: 'ann', role: 7 }],
    ['edited args that are an array', { by: 'ann', args: [1] }],
    ['edited args that are null', { by: 'ann', args: null }],
  ])('approve refuses %s with InvalidInputError', async (_, input) => {
    const { engine, parked, effects } = await parkedScale();
    await expect(engine.approve(parked.runId, input as never)).rejects.toBeInstanceOf(InvalidInputError);
    expect((await engine.get(parked.runId)).pending).toHaveLength(1);
    expect(effects).toEqual([]);
  });

  it('reject refuses an empty identity and a non-string reason', async () => {
    const { engine, parked } = await parkedScale();
    await expect(engine.reject(parked.runId, { by: '' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(engine.reject(parked.runId, { by: 'ann', reason: 5 as never })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
  });

  it('cancel refuses an empty identity, and the run stays as it was', async () => {
    const { engine, parked } = await parkedScale();
    await expect(engine.cancel(parked.runId, '')).rejects.toBeInstanceOf(InvalidInputError);
    expect((await engine.get(parked.runId)).status).toBe('waiting_on_human');
  });

  it('a chain needs a different person at each step, unless the tool allows one person several', async () => {
    const strict = await parkedScale(['sre', 'lead']);
    await strict.engine.approve(strict.parked.runId, { by: 'ann', role: 'sre' });
    await expect(
      strict.engine.approve(strict.parked.runId, { by: 'ann', role: 'lead' }),
    ).rejects.toBeInstanceOf(ApprovalMismatchError);
    const lax = await parkedScale(['sre', 'lead'], true);
    await lax.engine.approve(lax.parked.runId, { by: 'ann', role: 'sre' });
    await lax.engine.approve(lax.parked.runId, { by: 'ann', role: 'lead' });
    expect((await lax.engine.resume(lax.parked.runId)).status).toBe('completed');
  });

  it('the editor is not the second person of a chain', async () => {
    const { engine, parked, effects } = await parkedScale(byReplicas);
    await engine.approve(parked.runId, { by: 'sam', role: 'sre', args: { replicas: 5000 } });
    await engine.approve(parked.runId, { by: 'lee', role: 'lead' });
    await expect(engine.approve(parked.runId, { by: 'sam', role: 'director' })).rejects.toBeInstanceOf(
      ApprovalMismatchError,
    );
    expect(effects).toEqual([]);
  });

  it('a rejection without a reason is reported as a rejection by that person', async () => {
    const { engine, parked, effects } = await parkedScale();
    await engine.reject(parked.runId, { by: 'ann' });
    const done = await engine.resume(parked.runId);
    expect(done.output).toMatchObject({ status: 'rejected', by: 'ann', reason: 'no reason given' });
    expect(JSON.stringify(done.output)).not.toContain('expired');
    expect(effects).toEqual([]);
  });
});
