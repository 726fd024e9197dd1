import { ConfigurationError, InMemoryStore, type ToolDefinition } from '@kestrion/core';
import { ScriptedProvider } from '@kestrion/testing';
import { Agent, agent } from '../src/index';
import { SupportAgent } from './fixtures/runtime/deploy-agent';
import { call, compileRuntimeManifest } from './runtime-fixture';

@agent({ instructions: 'Use the remote tools.' })
class RemoteOnly {}

function remote(effects: string[], extra: Partial<ToolDefinition> = {}): ToolDefinition {
  return {
    name: 'remote_write',
    description: 'Writes remotely.',
    parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
    invoke: (args) => {
      effects.push(JSON.stringify(args));
      return { ok: true };
    },
    ...extra,
  };
}

describe('Agent tools option', () => {
  it('offers engine tool definitions to the model and runs them, with no @tool method or manifest needed', async () => {
    const effects: string[] = [];
    const provider = new ScriptedProvider([
      { toolCalls: [call('t1', 'remote_write', { path: 'a' })] },
      { text: 'written' },
    ]);
    const a = new Agent(new RemoteOnly(), {
      provider,
      store: new InMemoryStore(),
      model: 'm',
      tools: [remote(effects)],
    });
    const run = await a.run('write a');
    expect(run.status).toBe('completed');
    expect(effects).toEqual(['{"path":"a"}']);
    expect(provider.requests[0]?.tools).toEqual([
      expect.objectContaining({ name: 'remote_write', description: 'Writes remotely.' }),
    ]);
  });

  it('keeps their approval policy and validates their arguments against their schema', async () => {
    const effects: string[] = [];
    const provider = new ScriptedProvider([
      { toolCalls: [call('t1', 'remote_write', { path: 7 })] },
      { toolCalls: [call('t2', 'remote_write', { path: 'b' })] },
      { text: 'done' },
    ]);
    const a = new Agent(new RemoteOnly(), {
      provider,
      store: new InMemoryStore(),
      model: 'm',
      tools: [remote(effects, { requiresApproval: true })],
    });
    const parked = await a.run('write b');
    expect(parked.status).toBe('waiting_on_human');
    expect(parked.pending).toEqual([expect.objectContaining({ tool: 'remote_write', args: { path: 'b' } })]);
    expect(effects).toEqual([]);
    await a.approve(parked.id, { by: 'alice' });
    expect((await a.resume(parked.id)).status).toBe('completed');
    expect(effects).toEqual(['{"path":"b"}']);
  });

  it('refuses a tool whose name clashes with a decorated one, and a class with no tools at all', () => {
    const manifest = compileRuntimeManifest();
    const provider = new ScriptedProvider([]);
    const store = new InMemoryStore();
    const decorated = new Agent(new SupportAgent(), { provider, store, model: 'm', manifest });
    const clash = decorated.toolDefinitions[0]!.name;
    expect(
      () =>
        new Agent(new SupportAgent(), {
          provider,
          store,
          model: 'm',
          manifest,
          tools: [remote([], { name: clash })],
        }),
    ).toThrow(ConfigurationError);
    expect(() => new Agent(new RemoteOnly(), { provider, store, model: 'm' })).toThrow(/no @tool methods/);
  });
});
