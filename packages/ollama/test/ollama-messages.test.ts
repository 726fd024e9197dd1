import type { ChatMessage } from '@kestrion/core';
import { normalizeHost, ollama, toOllamaBody } from '@kestrion/ollama';
import { FakeOllamaServer } from '@kestrion/testing';

describe('toOllamaBody', () => {
  it('maps tool calls with object arguments, names tool results and sets options', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'Restart web-7?' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'c1', name: 'get_pod', arguments: { name: 'web-7' } }],
      },
      { role: 'tool', callId: 'c1', name: 'get_pod', content: '{"restarts":3}' },
    ];
    expect(
      toOllamaBody(
        { model: 'qwen3:8b', system: 'Be brief.', messages, maxTokens: 32, temperature: 0 },
        false,
      ),
    ).toEqual({
      model: 'qwen3:8b',
      stream: false,
      options: { num_predict: 32, temperature: 0 },
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Restart web-7?' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [{ function: { name: 'get_pod', arguments: { name: 'web-7' } } }],
        },
        { role: 'tool', content: '{"restarts":3}', tool_name: 'get_pod' },
      ],
    });
  });
});

describe('normalizeHost', () => {
  it.each([
    ['127.0.0.1:11434', 'http://127.0.0.1:11434'],
    ['0.0.0.0', 'http://127.0.0.1:11434'],
    ['ollama.internal', 'http://ollama.internal:11434'],
    ['https://gpu.example.com/', 'https://gpu.example.com'],
    ['http://localhost:8080', 'http://localhost:8080'],
  ])('reads OLLAMA_HOST %j as %j', (host, url) => {
    expect(normalizeHost(host)).toBe(url);
  });
});

describe('ollama() on the wire', () => {
  const server = new FakeOllamaServer();
  beforeAll(() => server.start());
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('recovers tool arguments sent as a JSON string and gives each call a distinct id', async () => {
    server.script({
      kind: 'reply',
      toolCalls: [
        { id: 'ignored', name: 'get_pod', arguments: '{"name":"web-7"}' },
        { id: 'ignored', name: 'get_pod', arguments: '{"name":"web-8"}' },
      ],
    });
    const response = await ollama('qwen3:8b', { host: server.url }).complete({
      model: 'qwen3:8b',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(response.toolCalls.map((c) => c.arguments)).toEqual([{ name: 'web-7' }, { name: 'web-8' }]);
    expect(response.toolCalls[0]?.id).not.toBe(response.toolCalls[1]?.id);
    expect(response.stopReason).toBe('tool_use');
    expect((server.requests[0]?.body as { stream: boolean }).stream).toBe(false);
  });

  it('charges nothing by default for a local model', async () => {
    server.script({ kind: 'reply', text: 'ok', usage: { inputTokens: 5_000, outputTokens: 900 } });
    const provider = ollama('qwen3:8b', { host: server.url });
    const response = await provider.complete({
      model: 'qwen3:8b',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(provider.cost?.(response)).toEqual({ usd: 0, inputTokens: 5_000, outputTokens: 900 });
  });

  it('is a retryable connection error when nothing listens on the host', async () => {
    const error = await ollama('qwen3:8b', { host: 'http://127.0.0.1:9', maxRetries: 0 })
      .complete({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'provider_connection', retryable: true });
  });
});
