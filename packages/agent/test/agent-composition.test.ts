import { InMemoryStore, type ToolManifest } from '@kestrion/core';
import { ScriptedProvider } from '@kestrion/testing';
import { Agent } from '../src/index';
import { DeployAgent, SupportAgent } from './fixtures/runtime/deploy-agent';
import { OpsAgent } from './fixtures/runtime/ops-agent';
import { call, compileRuntimeManifest } from './runtime-fixture';

let manifest: ToolManifest;
beforeAll(() => {
  manifest = compileRuntimeManifest();
});

describe('sub-agents', () => {
  it('parks the parent while the child waits on an approval, and finishes both after it', async () => {
    const store = new InMemoryStore();
    const deployer = new DeployAgent();
    const childProvider = new ScriptedProvider([
      { toolCalls: [call('s', 'ship', { version: '2.1.0' })] },
      { text: 'Shipped 2.1.0.' },
    ]);
    const child = new Agent(deployer, { provider: childProvider, store, model: 'm', manifest });
    const parentProvider = new ScriptedProvider([
      { toolCalls: [call('d', 'deployer', { input: 'ship 2.1.0' })] },
      (req) => ({ text: `Deployer says: ${req.messages.at(-1)?.content}` }),
    ]);
    const parent = new Agent(new OpsAgent(), {
      provider: parentProvider,
      store,
      model: 'm',
      manifest,
      agents: [child],
    });
    const parked = await parent.run('release 2.1.0');
    expect(parked.status).toBe('waiting_on_human');
    expect(parked.waitingOn).toHaveLength(1);
    const childId = parked.waitingOn[0]!;
    const childRun = await child.get(childId);
    expect(childRun).toMatchObject({
      status: 'waiting_on_human',
      pending: [expect.objectContaining({ tool: 'ship', nextRole: 'release-manager' })],
    });
    expect((await store.getRun(childId))?.parentRunId).toBe(parked.id);
    expect((await parent.resume(parked.id)).status).toBe('waiting_on_human'); // child still parked: nothing moves
    await child.approve(childId, { by: 'rita', role: 'release-manager' });
    const done = await parent.resume(parked.id);
    expect(done).toMatchObject({ status: 'completed', output: 'Deployer says: "Shipped 2.1.0."' });
    expect(deployer.shipped).toEqual(['2.1.0']);
    expect((await child.get(childId)).status).toBe('completed');
    expect([parentProvider.callCount, childProvider.callCount]).toEqual([2, 2]);
  });
});

describe('handoff', () => {
  it('passes the conversation to another agent, whose instructions and tools take over', async () => {
    const support = new Agent(new SupportAgent(), {
      provider: new ScriptedProvider([]),
      store: new InMemoryStore(),
      model: 'm',
      manifest,
    });
    const provider = new ScriptedProvider([
      { toolCalls: [call('h', 'transfer_to_support', {})] },
      { toolCalls: [call('i', 'invoice', { id: 'INV-7' })] },
      { text: 'Invoice INV-7 totals 42.' },
    ]);
    const ops = new Agent(new OpsAgent(), {
      provider,
      store: new InMemoryStore(),
      model: 'm',
      manifest,
      handoffs: [support],
    });
    const done = await ops.run('why is my invoice INV-7 so high?');
    expect(done).toMatchObject({ status: 'completed', output: 'Invoice INV-7 totals 42.' });
    const [first, second] = provider.requests;
    expect(first!.system).toBe('You are a careful SRE.');
    expect(first!.tools?.map((t) => t.name)).toContain('transfer_to_support');
    expect(second!.system).toBe('You answer billing questions.');
    expect(second!.tools?.map((t) => t.name)).toEqual(['invoice', 'transfer_to_OpsAgent']);
    expect(second!.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
  });
});
