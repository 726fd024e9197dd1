import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DEFAULT_MAX_EVENT_BYTES,
  InMemoryStore,
  type JsonObject,
  type StoredEvent,
  type ToolManifest,
} from '@kestrion/core';
import { openai } from '@kestrion/openai';
import { FakeOpenAIServer, ScriptedProvider } from '@kestrion/testing';
import { Agent, agent, tool } from '../src/index';
import { call } from './runtime-fixture';

// Tool-call arguments on their way from the model to the tool: OpenAI strict mode's nulls
// mapped back, handoffs to agents that do not exist, and arguments recorded once per event.

const FILTER = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    namespace: { type: 'string' },
    labels: {
      type: 'object',
      properties: { app: { type: 'string' }, tier: { type: ['string', 'null'] } },
      required: ['tier'],
      additionalProperties: false,
    },
  },
  required: ['name'],
  additionalProperties: false,
};
const TARGETS = {
  type: 'array',
  items: {
    type: 'object',
    properties: { pod: { type: 'string' }, container: { type: 'string' } },
    required: ['pod'],
    additionalProperties: false,
  },
};

@agent({ instructions: 'You find pods.' })
class PodAgent {
  readonly seen: unknown[][] = [];

  @tool({ idempotent: true })
  async findPods(filter: object, limit?: number, note?: string | null, targets?: object[]): Promise<string> {
    this.seen.push([filter, limit, note, targets]);
    return 'found 1 pod';
  }

  @tool()
  async save(blob: string): Promise<number> {
    return blob.length;
  }
}

@agent({ name: 'support', instructions: 'You answer billing questions.' })
class SupportDesk {
  @tool({ idempotent: true })
  async invoice(id: string): Promise<string> {
    return id;
  }
}

const manifest: ToolManifest = {
  version: 1,
  tools: {
    'PodAgent.findPods': {
      name: 'findPods',
      description: 'Find pods.',
      parameters: {
        type: 'object',
        properties: {
          filter: FILTER,
          limit: { type: 'integer' },
          note: { type: ['string', 'null'] },
          targets: TARGETS,
        },
        required: ['filter'],
        additionalProperties: false,
      },
      returns: { type: 'string' },
      signatureHash: 'test',
      source: 'test',
    },
    'PodAgent.save': {
      name: 'save',
      description: 'Save a blob.',
      parameters: {
        type: 'object',
        properties: { blob: { type: 'string' } },
        required: ['blob'],
        additionalProperties: false,
      },
      returns: { type: 'number' },
      signatureHash: 'test',
      source: 'test',
    },
    'SupportDesk.invoice': {
      name: 'invoice',
      description: 'Look up an invoice.',
      parameters: {
        type: 'object',
        properties: { id: { type: 'string' } },
        required: ['id'],
        additionalProperties: false,
      },
      returns: { type: 'string' },
      signatureHash: 'test',
      source: 'test',
    },
  },
};

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
      targets: [{ pod: 'web-1', container: null }, { pod: 'web-2', container: 'app' }],
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
  const support = new Agent(new SupportDesk(), {
    provider: new ScriptedProvider([]),
    store: new InMemoryStore(),
    model: 'm',
    manifest,
  });

  it.each([
    ['with handoffs', [support]],
    ['without handoffs', []],
  ])('is an unknown tool, sent back to the model and counted toward maxRepairs (%s)', async (_, handoffs) => {
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
  });
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
