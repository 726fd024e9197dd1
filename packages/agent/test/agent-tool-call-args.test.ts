import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  InMemoryStore,
  type JsonObject,
  type ModelToolSpec,
  type ProviderTool,
  type StoredEvent,
  type ToolManifest,
} from '@kestrion/core';
import { DEFAULT_MAX_EVENT_BYTES } from '@kestrion/core/store-kit';
import { join } from 'node:path';
import { ManifestCompiler } from '@kestrion/compiler';
import { openai } from '@kestrion/openai';
import { FakeOpenAIServer, ScriptedProvider } from '@kestrion/testing';
import { Agent } from '../src/index';
import { PodAgent, SupportDesk } from './fixtures/tool-call-args/pod-agent';
import { call } from './runtime-fixture';

// Tool-call arguments on their way from the model to the tool: OpenAI strict mode's nulls
// mapped back, handoffs to agents that do not exist, and arguments recorded once per event.

let manifest: ToolManifest;
beforeAll(() => {
  const result = ManifestCompiler.fromTsConfig(
    join(__dirname, 'fixtures', 'tool-call-args', 'tsconfig.json'),
  ).compile();
  expect(result.diagnostics).toEqual([]);
  manifest = result.manifest;
});

async function eventsOf(store: InMemoryStore, runId: string): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of store.readEvents(runId)) out.push(e);
  return out;
}

describe('OpenAI strict mode: nulls for omitted optional parameters', () => {
  const server = new FakeOpenAIServer();
  beforeAll(async () => {
    await server.start();
  });
  afterAll(async () => {
    await server.close();
  });

  it('are mapped back to absent before validation, at every level, and genuine nulls are kept', async () => {
    // What a compliant model sends against the strict view: every property present, null for "absent".
    const sent = {
      filter: { name: 'web', namespace: null, labels: { app: null, tier: null } },
      limit: null,
      note: null,
      targets: [
        { pod: 'web-1', container: null },
        { pod: 'web-2', container: 'app' },
      ],
    };
    server.script(
      { kind: 'reply', toolCalls: [{ id: 'c1', name: 'findPods', arguments: JSON.stringify(sent) }] },
      { kind: 'reply', text: 'One pod.' },
    );
    const pods = new PodAgent();
    const store = new InMemoryStore();
    const provider = openai('gpt-4.1', { apiKey: 'sk-test', baseURL: server.url, maxRetries: 0 });
    const done = await new Agent(pods, { provider, store, model: 'gpt-4.1', manifest }).run('find web');

    const offered = (server.requests[0]!.body as { tools: Array<{ function: JsonObject }> }).tools;
    expect(offered.find((t) => t.function.name === 'findPods')!.function.strict).toBe(true);
    expect(done.status).toBe('completed');
    expect(pods.seen).toEqual([
      [
        { name: 'web', labels: { tier: null } },
        undefined,
        null,
        [{ pod: 'web-1' }, { pod: 'web-2', container: 'app' }],
      ],
    ]);
    const requested = (await eventsOf(store, done.id)).find((e) => e.type === 'tool.requested');
    expect((requested?.data as { args: unknown }).args).toEqual({
      filter: { name: 'web', labels: { tier: null } },
      note: null,
      targets: [{ pod: 'web-1' }, { pod: 'web-2', container: 'app' }],
    });
  });
});

describe('provider hooks on the Provider port', () => {
  // A provider's tool view and argument mapping come through the port: the agent knows no
  // vendor, so a new provider never edits @kestrion/agent.
  class Hooked extends ScriptedProvider {
    readonly seen: Array<{ tool: string; offered: ModelToolSpec; args: JsonObject }> = [];
    toolSpec(t: ProviderTool): ModelToolSpec {
      return { name: t.name, description: `[hooked] ${t.description}`, parameters: { type: 'object' } };
    }
    normalizeToolArguments(t: ProviderTool, offered: ModelToolSpec, args: JsonObject): JsonObject {
      this.seen.push({ tool: t.name, offered, args });
      return { filter: { name: String((args.filter as JsonObject).name).toUpperCase() } };
    }
  }

  it('offers tools in the provider view and maps arguments back before validation', async () => {
    const provider = new Hooked([
      { toolCalls: [call('c1', 'findPods', { filter: { name: 'web' }, bogus: 1 })] },
      { text: 'One pod.' },
    ]);
    const pods = new PodAgent();
    const done = await new Agent(pods, { provider, store: new InMemoryStore(), model: 'm', manifest }).run(
      'find',
    );
    expect(done.status).toBe('completed');
    const offered = provider.requests[0]?.tools?.find((t) => t.name === 'findPods');
    expect(offered).toMatchObject({ parameters: { type: 'object' } });
    expect(offered?.description).toMatch(/^\[hooked\]/);
    expect(provider.seen).toEqual([
      {
        tool: 'findPods',
        offered: expect.objectContaining({ name: 'findPods' }),
        args: { filter: { name: 'web' }, bogus: 1 },
      },
    ]);
    expect(pods.seen[0]?.[0]).toEqual({ name: 'WEB' });
  });
});

describe('handoff to an agent that does not exist', () => {
  it.each([
    ['with handoffs', true],
    ['without handoffs', false],
  ])(
    'is an unknown tool, sent back to the model and counted toward maxRepairs (%s)',
    async (_, withHandoffs) => {
      const support = new Agent(new SupportDesk(), {
        provider: new ScriptedProvider([]),
        store: new InMemoryStore(),
        model: 'm',
        manifest,
      });
      const handoffs = withHandoffs ? [support] : [];
      const nobody = { toolCalls: [call('h', 'transfer_to_nobody', {})] };
      const provider = new ScriptedProvider([nobody, nobody, nobody, { text: 'never asked' }]);
      const done = await new Agent(new PodAgent(), {
        provider,
        store: new InMemoryStore(),
        model: 'm',
        manifest,
        handoffs,
        maxRepairs: 2,
      }).run('hand me over');
      expect(done.status).toBe('failed');
      expect(done.error).toMatchObject({ code: 'model_misbehaviour' });
      expect(provider.callCount).toBe(3);
      const answer = provider.requests[1]!.messages.find((m) => m.role === 'tool');
      expect(answer).toMatchObject({ isError: true });
      expect(answer?.content).toMatch(/^Error \(unknown_tool\): no tool named "transfer_to_nobody"/);
    },
  );
});

describe('tool-call arguments', () => {
  it('are stored once per event: a 600 KB argument (over the limit twice) completes', async () => {
    const blob = 'x'.repeat(600 * 1024);
    expect(blob.length * 2).toBeGreaterThan(DEFAULT_MAX_EVENT_BYTES);
    const provider = new ScriptedProvider([
      { toolCalls: [call('c1', 'save', { blob })] },
      { text: 'Saved.' },
    ]);
    const store = new InMemoryStore();
    const saver = new Agent(new PodAgent(), { provider, store, model: 'm', manifest });
    const done = await saver.run('save it');
    expect(done).toMatchObject({ status: 'completed', output: 'Saved.' });
    for (const e of await eventsOf(store, done.id))
      expect(JSON.stringify(e.data).split(blob).length - 1).toBeLessThanOrEqual(1);
  });
});
