import type { ChatMessage } from '@kestrion/core';
import { openai, toOpenAIParams } from '@kestrion/openai';
import { FakeOpenAIServer } from '@kestrion/testing';

const conversation: ChatMessage[] = [
  { role: 'user', content: 'Restart web-7?' },
  {
    role: 'assistant',
    content: '',
    toolCalls: [
      { id: 'call_1', name: 'get_pod', arguments: { name: 'web-7' } },
      { id: 'call_2', name: 'get_logs', arguments: '{"pod":', malformed: true },
    ],
  },
  { role: 'tool', callId: 'call_1', name: 'get_pod', content: '{"restarts":3}' },
  { role: 'tool', callId: 'call_2', name: 'get_logs', content: 'arguments were not JSON', isError: true },
];

describe('toOpenAIParams', () => {
  it('maps system, assistant tool calls (raw text for malformed ones) and tool results', () => {
    const params = toOpenAIParams({
      model: 'gpt-4.1',
      system: 'Be brief.',
      messages: conversation,
      maxTokens: 64,
    });
    expect(params.max_completion_tokens).toBe(64);
    expect(params.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Restart web-7?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_pod', arguments: '{"name":"web-7"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_logs', arguments: '{"pod":' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"restarts":3}' },
      { role: 'tool', tool_call_id: 'call_2', content: 'arguments were not JSON' },
    ]);
  });

  it('sends strict: true only for tools marked strict', () => {
    const parameters = { type: 'object', properties: {}, required: [], additionalProperties: false };
    const params = toOpenAIParams({
      model: 'gpt-4.1',
      messages: [],
      tools: [
        { name: 'strict_one', description: 'd', parameters, strict: true },
        { name: 'loose_one', description: 'd', parameters },
      ],
    });
    expect(params.tools).toEqual([
      { type: 'function', function: { name: 'strict_one', description: 'd', parameters, strict: true } },
      { type: 'function', function: { name: 'loose_one', description: 'd', parameters } },
    ]);
  });
});

describe('openai() on the wire', () => {
  const server = new FakeOpenAIServer();
  beforeAll(() => server.start());
  afterAll(() => server.close());

  it('asks for usage in streams and subtracts cached tokens from the input count', async () => {
    const reply = {
      kind: 'reply' as const,
      text: 'ok',
      usage: { inputTokens: 100, outputTokens: 5, cacheReadTokens: 900 },
    };
    server.script(reply);
    const provider = openai('gpt-4.1', { baseURL: server.url, apiKey: 'sk-wire' });
    const response = await provider.complete(
      { model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] },
      { onTextDelta: () => undefined },
    );
    const body = server.requests[0]?.body as { stream: boolean; stream_options: unknown };
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-wire');
    expect(response.usage).toEqual({ inputTokens: 100, outputTokens: 5, cacheReadTokens: 900 });
    expect(provider.cost?.(response).usd).toBeCloseTo((100 * 2 + 5 * 8 + 900 * 0.5) / 1e6, 12);
  });

  it('throws a ConfigurationError naming the fix when no API key is available', () => {
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      expect(() => openai('gpt-4.1')).toThrow(/OPENAI_API_KEY/);
    } finally {
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    }
  });
});
