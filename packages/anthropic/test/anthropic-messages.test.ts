import { anthropic, toAnthropicParams } from '@kestrion/anthropic';
import type { ChatMessage, ModelRequest } from '@kestrion/core';
import { FakeAnthropicServer } from '@kestrion/testing';

const conversation: ChatMessage[] = [
  { role: 'user', content: 'Restart web-7?' },
  {
    role: 'assistant',
    content: 'Looking.',
    toolCalls: [
      { id: 'tu_1', name: 'get_pod', arguments: { name: 'web-7' } },
      { id: 'tu_2', name: 'get_logs', arguments: '{"pod":', malformed: true },
    ],
  },
  { role: 'tool', callId: 'tu_1', name: 'get_pod', content: '{"restarts":3}' },
  { role: 'tool', callId: 'tu_2', name: 'get_logs', content: 'arguments were not JSON', isError: true },
  { role: 'user', content: 'Go on.' },
];

describe('toAnthropicParams', () => {
  it('puts consecutive tool results and a following user note into one user message, results first', () => {
    const params = toAnthropicParams({ model: 'm', system: 'Be brief.', messages: conversation }, 1024);
    expect(params.system).toBe('Be brief.');
    expect(params.max_tokens).toBe(1024);
    expect(params.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Restart web-7?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Looking.' },
          { type: 'tool_use', id: 'tu_1', name: 'get_pod', input: { name: 'web-7' } },
          { type: 'tool_use', id: 'tu_2', name: 'get_logs', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'tu_1', content: '{"restarts":3}' },
          { type: 'tool_result', tool_use_id: 'tu_2', content: 'arguments were not JSON', is_error: true },
          { type: 'text', text: 'Go on.' },
        ],
      },
    ]);
  });

  it('sends tool schemas as input_schema unchanged and the request max_tokens over the default', () => {
    const parameters = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] };
    const params = toAnthropicParams(
      {
        model: 'm',
        messages: [],
        maxTokens: 77,
        tools: [{ name: 'get_pod', description: 'Reads a pod.', parameters }],
      },
      1024,
    );
    expect(params.tools).toEqual([
      { name: 'get_pod', description: 'Reads a pod.', input_schema: parameters },
    ]);
    expect(params.max_tokens).toBe(77);
  });
});

describe('anthropic() on the wire', () => {
  const server = new FakeAnthropicServer();
  beforeAll(() => server.start());
  afterAll(() => server.close());

  it('sends the API key, the version header and no SDK retry, and prices a known model from the table', async () => {
    server.script({
      kind: 'reply',
      text: 'ok',
      usage: { inputTokens: 1_000_000, outputTokens: 0 },
      model: 'claude-haiku-4-5-20251001',
    });
    const provider = anthropic('claude-haiku-4-5', { baseURL: server.url, apiKey: 'sk-ant-wire' });
    const request: ModelRequest = { model: 'claude-haiku-4-5', messages: conversation };
    const response = await provider.complete(request);
    const sent = server.requests[0];
    expect(JSON.stringify(sent?.headers)).toContain('sk-ant-wire');
    expect(sent?.headers['anthropic-version']).toEqual(expect.any(String));
    expect(sent?.headers['x-stainless-retry-count']).toBe('0');
    expect((sent?.body as { messages: unknown[] }).messages).toHaveLength(3);
    expect(response.model).toBe('claude-haiku-4-5-20251001');
    expect(provider.cost?.(response).usd).toBeCloseTo(1, 10);
  });

  it('maps max_tokens and unknown stop reasons and leaves unreported cache counts out', async () => {
    server.script({ kind: 'reply', text: 'cut', stop: 'max_tokens' });
    const response = await anthropic('claude-x', { baseURL: server.url, apiKey: 'k' }).complete({
      model: 'claude-x',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(response.stopReason).toBe('max_tokens');
    expect(response.usage).toEqual({ inputTokens: 12, outputTokens: 7 });
  });
});
