import { FakeClock, InMemoryStore, type ToolManifest } from '@kestrion/core';
import { MAX_TOOL_ARGUMENT_DEPTH, toolCallFromText } from '@kestrion/core/provider-kit';
import { ScriptedProvider } from '@kestrion/testing';
import { Agent } from '../src/index';
import { OpsAgent } from './fixtures/runtime/ops-agent';
import { compileRuntimeManifest } from './runtime-fixture';

let manifest: ToolManifest;
beforeAll(() => {
  manifest = compileRuntimeManifest();
});

describe('a model sending tool arguments nested too deep', () => {
  it('gets the call back as an error and the run goes on; nothing runs', async () => {
    const levels = MAX_TOOL_ARGUMENT_DEPTH + 40; // deeper than an event may nest, once recorded
    const raw = `{"yaml":${'{"k":'.repeat(levels)}"x"${'}'.repeat(levels)}}`;
    const ops = new OpsAgent();
    // What every adapter does with the model's text (OpenAI, Anthropic streaming, Ollama).
    const provider = new ScriptedProvider([
      { toolCalls: [toolCallFromText('t1', 'applyManifest', raw)] },
      { text: 'I will send flat arguments.' },
    ]);
    const agent = new Agent(ops, {
      provider,
      store: new InMemoryStore(),
      model: 'm',
      manifest,
      clock: new FakeClock(),
    });
    const done = await agent.run('go');
    expect(done.status).toBe('completed');
    const toolMessages = provider.requests[1]!.messages.filter((m) => m.role === 'tool');
    expect(toolMessages).toEqual([expect.objectContaining({ callId: 't1', isError: true })]);
    expect(ops.applied).toEqual([]);
  });
});
