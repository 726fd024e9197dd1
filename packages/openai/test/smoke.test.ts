import type { ChatMessage, ModelToolSpec } from '@kestrion/core';
import { openai } from '@kestrion/openai';

// One real call through the adapter when OPENAI_API_KEY is set; a visible skip otherwise.
const apiKey = process.env.OPENAI_API_KEY || undefined;
const model = process.env.OPENAI_SMOKE_MODEL ?? 'gpt-4.1-mini';

const weather: ModelToolSpec = {
  name: 'get_weather',
  description: 'The current weather in a city.',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
  strict: true,
};

if (apiKey) {
  describe(`OpenAI live smoke test (${model})`, () => {
    const provider = openai(model);

    it('answers a short text prompt', async () => {
      const reply = await provider.complete({
        model,
        messages: [{ role: 'user', content: 'Reply with the single word: pong' }],
        maxTokens: 20,
      });
      expect(reply.text.toLowerCase()).toContain('pong');
    });

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
    });
  });
} else {
  it('skips the live OpenAI call: OPENAI_API_KEY is not set', () => {
    console.warn(
      'OpenAI smoke test skipped: set OPENAI_API_KEY (and optionally OPENAI_SMOKE_MODEL) to run it.',
    );
    expect(apiKey).toBeUndefined();
  });
}
