import type { ChatMessage, ModelToolSpec, Provider } from '@kestrion/core';

export interface LiveSmokeOptions {
  /** Vendor name for test titles ("OpenAI"). */
  vendor: string;
  /** The environment variable whose presence enables the live calls. */
  envVar: string;
  /** The model to call (e.g. from a `*_SMOKE_MODEL` variable). */
  model: string;
  /** Builds the provider once the variable is set. */
  provider: (model: string) => Provider;
  /** Send the tool with `strict: true` (OpenAI strict function calling). */
  strictTools?: boolean;
  timeoutMs?: number;
}

/**
 * Real calls to a vendor's API through its adapter, only when the credential or host variable
 * is set: a short text answer and one tool-call round trip. Without it, one test whose title
 * says why it did not call, so a skipped live check is visible in every run.
 */
export function describeLiveSmoke(o: LiveSmokeOptions): void {
  if (!process.env[o.envVar]) {
    it(`skips the live ${o.vendor} call: ${o.envVar} is not set`, () => {
      console.warn(`${o.vendor} smoke test skipped: set ${o.envVar} to run it.`);
      expect(process.env[o.envVar] || undefined).toBeUndefined();
    });
    return;
  }
  const weather: ModelToolSpec = {
    name: 'get_weather',
    description: 'The current weather in a city.',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    },
    ...(o.strictTools ? { strict: true } : {}),
  };
  const { model } = o;
  describe(`${o.vendor} live smoke test (${model})`, () => {
    const provider = o.provider(model);

    it(
      'answers a short text prompt',
      async () => {
        const reply = await provider.complete({
          model,
          messages: [{ role: 'user', content: 'Reply with the single word: pong' }],
          maxTokens: 20,
        });
        expect(reply.text.toLowerCase()).toContain('pong');
      },
      o.timeoutMs,
    );

    it(
      'calls a tool and answers from its result',
      async () => {
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
      },
      o.timeoutMs,
    );
  });
}
