import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DEFAULT_MAX_EVENT_BYTES,
  InMemoryStore,
  type JsonObject,
  type StoredEvent,
  type ToolManifest,
} from '@kestrion/core';
import { join } from 'node:path';
import { ManifestCompiler } from '@kestrion/compiler';
import { openai } from '@kestrion/openai';
import { FakeOpenAIServer, ScriptedProvider } from '@kestrion/testing';
import { Agent, fromOpenAIStrictArgs, toOpenAIStrictSchema } from '../src/index';
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

describe('fromOpenAIStrictArgs', () => {
  const optionalNested = {
    type: 'object',
    properties: { id: { type: 'string' }, note: { type: 'string' } },
    required: ['id'],
    additionalProperties: false,
  };

  it('maps nulls back through arrays, tuples, $refs and unions, and only where the original refuses null', () => {
    const schema: JsonObject = {
      type: 'object',
      $defs: { Item: optionalNested },
      properties: {
        list: { type: 'array', items: { $ref: '#/$defs/Item' } },
        pair: { type: 'array', prefixItems: [optionalNested, { type: 'string' }], items: false },
        either: {
          anyOf: [
            {
              type: 'object',
              properties: { kind: { const: 'a' }, x: { type: 'number' } },
              required: ['kind'],
            },
            {
              type: 'object',
              properties: { kind: { const: 'b' }, x: { type: ['number', 'null'] } },
              required: ['kind'],
            },
          ],
        },
        anything: {},
        maybe: { anyOf: [{ type: 'string' }, { type: 'null' }] },
        only: { enum: ['x', 'y'] },
      },
      additionalProperties: false,
    };
    expect(toOpenAIStrictSchema(schema)).toBeDefined();
    const sent: JsonObject = {
      list: [
        { id: '1', note: null },
        { id: '2', note: 'n' },
      ],
      pair: [{ id: '3', note: null }, 'tail'],
      either: { kind: 'b', x: null },
      anything: null,
      maybe: null,
      only: null,
    };
    expect(fromOpenAIStrictArgs(schema, sent)).toEqual({
      list: [{ id: '1' }, { id: '2', note: 'n' }],
      pair: [{ id: '3' }, 'tail'],
      either: { kind: 'b', x: null },
      anything: null,
      maybe: null,
    });
    expect(fromOpenAIStrictArgs(schema, { either: { kind: 'a', x: null } })).toEqual({
      either: { kind: 'a' },
    });
    expect(sent.list).toEqual([
      { id: '1', note: null },
      { id: '2', note: 'n' },
    ]); // the input is not changed
  });
});
