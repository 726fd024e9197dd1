import type { ChatMessage, ModelToolSpec } from '@kestrion/core';
import { ollama } from '@kestrion/ollama';

// One real call through the adapter when OLLAMA_HOST is set; a visible skip otherwise.
const host = process.env.OLLAMA_HOST || undefined;
const model = process.env.OLLAMA_SMOKE_MODEL ?? 'llama3.2';

const weather: ModelToolSpec = {
  name: 'get_weather',
  description: 'The current weather in a city.',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
};

if (host) {
  describe(`Ollama live smoke test (${model})`, () => {
    const provider = ollama(model, { host });

    it('answers a short text prompt', async () => {
      const reply = await provider.complete({
        model,
        messages: [{ role: 'user', content: 'Reply with the single word: pong' }],
        maxTokens: 20,
      });
      expect(reply.text.toLowerCase()).toContain('pong');
    }, 180_000);

    it('calls a tool and answers from its result', async () => {
      const ask: ChatMessage = { role: 'user', content: 'What is the weather in Paris? Use the tool.' };
      const first = await provider.complete({ model, messages: [ask], tools: [weather], maxTokens: 200 });
      const call = first.toolCalls[0];
      expect(call).toMatchObject({
        name: 'get_weather',
        arguments: { city: expect.stringMatching(/paris/i) },
      });
      const second = await provider.complete({
        model,
        messages: [
          ask,
          { role: 'assistant', content: first.text, toolCalls: first.toolCalls },
          { role: 'tool', callId: call!.id, name: call!.name, content: '{"tempC":21,"sky":"sunny"}' },
        ],
        tools: [weather],
        maxTokens: 200,
      });
      expect(second.text).toMatch(/21/);
    }, 180_000);
  });
} else {
  it('skips the live Ollama call: OLLAMA_HOST is not set', () => {
    console.warn('Ollama smoke test skipped: set OLLAMA_HOST (and optionally OLLAMA_SMOKE_MODEL) to run it.');
    expect(host).toBeUndefined();
  });
}
