import { FakeClock, InMemoryStore, type ToolManifest } from '@kestrion/core';
import { toolCallFromText } from '@kestrion/core/provider-kit';
import { fuzzedToolArguments, ScriptedProvider } from '@kestrion/testing';
import { Agent, validateArgs } from '../src/index';
import { OpsAgent } from './fixtures/runtime/ops-agent';
import { call, compileRuntimeManifest } from './runtime-fixture';

let manifest: ToolManifest;
beforeAll(() => {
  manifest = compileRuntimeManifest();
});

describe('Agent', () => {
  it('runs the tool loop, parks at the gate, and finishes after approval with no model call repeated', async () => {
    const ops = new OpsAgent();
    const store = new InMemoryStore();
    const provider = new ScriptedProvider([
      { toolCalls: [call('t1', 'getClusterState', {}), call('t2', 'getEvents', { name: 'checkout-api' })] },
      { toolCalls: [call('t3', 'applyManifest', { yaml: 'replicas: 3' })] },
      { text: 'Scaled checkout-api to 3.' },
    ]);
    const clock = new FakeClock(Date.UTC(2026, 10, 26, 9));
    const opts = { provider, store, model: 'm', manifest, clock };
    const parked = await new Agent(ops, opts).run("Scale up checkout-api if it's under 3 replicas");
    expect(parked).toMatchObject({
      status: 'waiting_on_human',
      pending: [expect.objectContaining({ tool: 'applyManifest', args: { yaml: 'replicas: 3' } })],
    });
    const [a, b] = ops.log;
    expect(a!.start < b!.end && b!.start < a!.end).toBe(true); // both calls of the turn ran concurrently
    clock.advance(5 * 3600_000); // approved five hours later, from another Agent instance
    await new Agent(ops, opts).approve(parked.id, { by: 'alice' });
    const done = await new Agent(ops, opts).resume(parked.id);
    expect(done).toMatchObject({
      status: 'completed',
      output: 'Scaled checkout-api to 3.',
      lastMessage: 'Scaled checkout-api to 3.',
    });
    expect(ops.applied).toEqual(['replicas: 3']);
    expect(ops.fencedAttempts).toEqual([1]); // the tool could check its lease right before the effect
    expect(provider.callCount).toBe(3);
    const trace = await new Agent(ops, opts).trace(parked.id);
    expect(trace.totals).toEqual((await new Agent(ops, opts).get(parked.id)).totals);
    expect(trace.spans.filter((s) => s.kind === 'model')).toHaveLength(3);
    expect(trace.spans.filter((s) => s.kind === 'tool').map((s) => s.kind === 'tool' && s.tool)).toEqual([
      'getClusterState',
      'getEvents',
      'applyManifest',
    ]);
    expect(trace.spans.find((s) => s.kind === 'wait')).toMatchObject({
      reason: 'approval',
      durationMs: 5 * 3600_000,
    });
    provider.assertConsumed();
    const second = provider.requests[1]!;
    expect(second.messages.filter((m) => m.role === 'tool').map((m) => m.content)).toEqual([
      '[{"name":"checkout-api","replicas":2}]',
      '["checkout-api: scaled"]',
    ]);
    expect(second.tools?.map((t) => t.name).sort()).toEqual([
      'applyManifest',
      'getClusterState',
      'getEvents',
    ]);
  });

  it('sends unknown tools, invalid and malformed arguments back to the model, and executes none of them', async () => {
    const ops = new OpsAgent();
    const provider = new ScriptedProvider([
      {
        toolCalls: [
          call('t1', 'deleteCluster', {}),
          call('t2', 'applyManifest', { yaml: 7 }),
          call('t3', 'applyManifest', '{"yaml": ', true),
        ],
      },
      { text: 'I cannot do that safely.' },
    ]);
    const done = await new Agent(ops, { provider, store: new InMemoryStore(), model: 'm', manifest }).run(
      'go',
    );
    expect(done.status).toBe('completed');
    const errors = provider.requests[1]!.messages.filter((m) => m.role === 'tool').map((m) => m.content);
    expect(errors[0]).toMatch(/^Error \(unknown_tool\): no tool named "deleteCluster"/);
    expect(errors[1]).toMatch(/^Error \(invalid_arguments\).*\n.*yaml/s);
    expect(errors[2]).toMatch(/^Error \(malformed_arguments\)/);
    expect(ops.applied).toEqual([]);
  });

  it('fails the run once the model keeps sending bad calls past the repair budget', async () => {
    const bad = { toolCalls: [call('t', 'nope', {})] };
    const provider = new ScriptedProvider([bad, bad, bad]);
    const done = await new Agent(new OpsAgent(), {
      provider,
      store: new InMemoryStore(),
      model: 'm',
      manifest,
      maxRepairs: 2,
    }).run('go');
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ code: 'model_misbehaviour' });
  });

  it('holds a multi-turn conversation: each send is the next user turn', async () => {
    const provider = new ScriptedProvider([
      { text: 'Hello.' },
      (req) => ({ text: `You said: ${req.messages.at(-1)?.content}` }),
    ]);
    const agent = new Agent(new OpsAgent(), {
      provider,
      store: new InMemoryStore(),
      model: 'm',
      manifest,
      multiTurn: true,
    });
    const first = await agent.run('hi');
    expect(first).toMatchObject({
      status: 'waiting_on_human',
      waitingReason: 'input',
      lastMessage: 'Hello.',
    });
    const second = await agent.send(first.id, 'scale it');
    expect(second).toMatchObject({ status: 'waiting_on_human', lastMessage: 'You said: scale it' });
    expect(provider.requests[1]!.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
  });
});

describe('Agent.stream', () => {
  it('yields text as it streams and every durable event, then the run', async () => {
    const provider = new ScriptedProvider([
      { toolCalls: [call('t1', 'getClusterState', {})] },
      { text: 'All good: 2 replicas.' },
    ]);
    const agent = new Agent(new OpsAgent(), { provider, store: new InMemoryStore(), model: 'm', manifest });
    const items = [];
    for await (const item of agent.stream('check')) items.push(item);
    const text = items.flatMap((i) => (i.type === 'text' ? [i.delta] : [])).join('');
    expect(text).toBe('All good: 2 replicas.');
    const types = items.flatMap((i) => (i.type === 'event' ? [i.event.type] : []));
    expect(types.slice(0, 4)).toEqual(['run.started', 'node.entered', 'llm.requested', 'llm.completed']);
    expect(types.at(-1)).toBe('run.completed');
    // Every event of the run, in order, exactly once: the stream is the log.
    const runId =
      items.find((i) => i.type === 'done')?.type === 'done'
        ? (items.at(-1) as { run: { id: string } }).run.id
        : '';
    const seqs = items.flatMap((i) => (i.type === 'event' ? [i.event.seq] : []));
    expect(seqs).toEqual(Array.from({ length: (await agent.get(runId)).eventCount }, (_, k) => k + 1));
    const last = items.at(-1);
    expect(last?.type === 'done' && last.run.status).toBe('completed');
    expect(items.filter((i) => i.type === 'text').length).toBeGreaterThan(1);
  });
});

describe('Agent.replay and fork', () => {
  it('replays a finished run with no provider call, and forks it before the approval', async () => {
    const ops = new OpsAgent();
    const store = new InMemoryStore();
    const provider = new ScriptedProvider([
      { toolCalls: [call('t3', 'applyManifest', { yaml: 'replicas: 3' })] },
      { text: 'Done.' },
    ]);
    const agent = new Agent(ops, { provider, store, model: 'm', manifest });
    const parked = await agent.run('scale');
    await agent.approve(parked.id, { by: 'alice' });
    await agent.resume(parked.id);
    const report = await agent.replay(parked.id);
    expect(report.divergence).toBeUndefined();
    expect(provider.callCount).toBe(2);
    expect(ops.applied).toHaveLength(1);
    const fork = await agent.fork(parked.id, parked.eventCount);
    expect(fork).toMatchObject({
      status: 'waiting_on_human',
      pending: [expect.objectContaining({ tool: 'applyManifest' })],
    });
    expect(fork.id).not.toBe(parked.id);
  });
});

describe('Agent against fuzzed tool-call arguments', () => {
  it('executes no call whose arguments are malformed or invalid, across 1,000 payloads, without crashing', async () => {
    const ops = new OpsAgent();
    const executed: string[] = [];
    const original = ops.getEvents.bind(ops);
    ops.getEvents = async (name: string) => {
      executed.push(name);
      return original(name);
    };
    const store = new InMemoryStore();
    const payloads = fuzzedToolArguments(1000);
    let shouldRun = 0;
    for (const [i, p] of payloads.entries()) {
      const toolCall = toolCallFromText(`c${i}`, 'getEvents', p.raw);
      const valid =
        !toolCall.malformed && validateArgs(manifest.tools['OpsAgent.getEvents']!, toolCall.arguments).ok;
      if (valid) shouldRun += 1;
      const provider = new ScriptedProvider([{ toolCalls: [toolCall] }, { text: 'ok' }]);
      const done = await new Agent(ops, { provider, store, model: 'm', manifest }).run(`fuzz ${i}`);
      expect(done.status).toBe('completed');
    }
    expect(executed.length).toBe(shouldRun);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(payloads.filter((p) => p.kind !== 'valid').length).toBeGreaterThan(600);
  });
});
