import { createServer } from 'node:net';
import fc from 'fast-check';
import {
  ConfigurationError,
  estimatePromptTokens,
  FakeClock,
  InMemoryQuotaStore,
  ProviderCancelledError,
  ProviderConnectionError,
  ProviderError,
  QUOTA_MARGIN_MS,
  QUOTA_WINDOW_MS,
  QuotaExhaustedError,
  withQuota,
  type ChatMessage,
  type ModelRequest,
  type ModelToolSpec,
  type QuotaLimits,
  type WithQuotaOptions,
} from '@kestrion/core';
import { openai, type OpenAIOptions } from '@kestrion/openai';
import { CountingOpenAIServer, FakeOpenAIServer, fakePromptTokens } from '@kestrion/testing';
import { toOpenAIParams } from '../src/openai-messages';

// withQuota on the real OpenAI provider against the wire-format fakes, in one process with the
// InMemoryQuotaStore and a FakeClock (the contract suite proves the stores; the processes test
// proves the sharing).

const MODEL = 'gpt-test';
const BUCKET = `openai:${MODEL}`;
const noWait = { sleep: async () => undefined };

/** A one-message request; `maxTokens` null leaves it out. */
const request = (content = 'Say hello to the quota.', maxTokens: number | null = 50): ModelRequest => ({
  model: MODEL,
  messages: [{ role: 'user', content }],
  ...(maxTokens === null ? {} : { maxTokens }),
});

describe('withQuota on the OpenAI provider', () => {
  const servers: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function setup<S extends FakeOpenAIServer>(
    server: S,
    limits: QuotaLimits | WithQuotaOptions['limits'],
    providerOptions: OpenAIOptions = {},
  ) {
    servers.push(await server.start());
    const quota = new InMemoryQuotaStore();
    const clock = new FakeClock();
    const provider = withQuota(
      openai(MODEL, { apiKey: 'sk-test', baseURL: server.url, retry: noWait, ...providerOptions }),
      {
        quota,
        clock,
        limits: typeof limits === 'function' || !isLimits(limits) ? limits : { [MODEL]: limits },
      },
    );
    return { server, quota, clock, provider };
  }

  it('settles each call at the usage the server reported, below the estimate it held in flight', async () => {
    const server = new CountingOpenAIServer({ completionTokens: 20, latencyMs: 150 });
    const { quota, clock, provider } = await setup(server, { tokensPerMinute: 10_000 });
    const call = provider.complete(request());
    await new Promise((resolve) => setTimeout(resolve, 75));
    const estimate = estimatePromptTokens(request()) + 50;
    expect(await quota.usage(BUCKET, clock.now())).toEqual({
      requests: 1,
      tokens: estimate,
      inFlight: 1,
      pausedUntilMs: null,
    });
    const response = await call;
    const [arrival] = server.arrivals;
    const actual = (arrival?.promptTokens ?? NaN) + (arrival?.completionTokens ?? NaN);
    expect(response.usage.inputTokens + response.usage.outputTokens).toBe(actual);
    expect(await quota.usage(BUCKET, clock.now())).toEqual({
      requests: 1,
      tokens: actual,
      inFlight: 0,
      pausedUntilMs: null,
    });
    expect(actual).toBeLessThan(estimate);
  });

  it('throws QuotaExhaustedError, sending nothing, once the bucket is full', async () => {
    const server = new CountingOpenAIServer();
    const { clock, provider } = await setup(server, { requestsPerMinute: 2 });
    await provider.complete(request());
    clock.advance(1_000);
    await provider.complete(request());
    const settledFirst = clock.now() - 1_000;
    const error = await provider.complete(request()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuotaExhaustedError);
    expect(error).toMatchObject({
      code: 'quota_exhausted',
      retryable: true,
      bucket: BUCKET,
      reason: 'requests',
      retryAtMs: settledFirst + QUOTA_WINDOW_MS + QUOTA_MARGIN_MS,
    });
    expect(server.arrivals).toHaveLength(2);
  });

  it('returns the reservation of a call that never reached the server (connection refused)', async () => {
    const port = await closedPort();
    const quota = new InMemoryQuotaStore();
    const clock = new FakeClock();
    const provider = withQuota(
      openai(MODEL, { apiKey: 'sk-test', baseURL: `http://127.0.0.1:${port}/v1`, retry: noWait }),
      { quota, clock, limits: { [MODEL]: { requestsPerMinute: 1, concurrentRequests: 1 } } },
    );
    await expect(provider.complete(request())).rejects.toBeInstanceOf(ProviderConnectionError);
    expect(await quota.usage(BUCKET, clock.now())).toEqual({
      requests: 0,
      tokens: 0,
      inFlight: 0,
      pausedUntilMs: null,
    });
  });

  it('takes no reservation for a call cancelled before it starts', async () => {
    const server = new CountingOpenAIServer();
    const { quota, clock, provider } = await setup(server, { requestsPerMinute: 1 });
    const error = await provider
      .complete(request(), { signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderCancelledError);
    expect((await quota.usage(BUCKET, clock.now())).requests).toBe(0);
    expect(server.arrivals).toHaveLength(0);
  });

  it("pauses the bucket for a final 429's Retry-After, refusing every caller until then", async () => {
    const server = new FakeOpenAIServer().script({ kind: 'status', status: 429, retryAfter: '30' });
    const { quota, clock, provider } = await setup(server, { requestsPerMinute: 100 }, { maxRetries: 0 });
    const error = await provider.complete(request()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).status).toBe(429);
    const t = clock.now();
    expect(await quota.usage(BUCKET, t)).toEqual({
      requests: 0,
      tokens: 0,
      inFlight: 0,
      pausedUntilMs: t + 30_000,
    });
    await expect(provider.complete(request())).rejects.toMatchObject({
      reason: 'paused',
      retryAtMs: t + 30_000,
    });
    expect(server.requests).toHaveLength(1);
  });

  it('pauses the bucket for a 429 the provider retries by itself, with one reservation for both attempts', async () => {
    const server = new FakeOpenAIServer().script(
      { kind: 'status', status: 429, retryAfter: '12' },
      { kind: 'reply', text: 'ok' },
    );
    const { quota, clock, provider } = await setup(server, { requestsPerMinute: 100 });
    await provider.complete(request());
    const t = clock.now();
    expect(await quota.usage(BUCKET, t)).toMatchObject({
      requests: 1,
      inFlight: 0,
      pausedUntilMs: t + 12_000,
    });
    expect(server.requests).toHaveLength(2);
  });

  it('counts an attempt the server may have processed (500), and reserves again for the retry', async () => {
    const server = new FakeOpenAIServer().script(
      { kind: 'status', status: 500 },
      { kind: 'reply', text: 'ok' },
    );
    const { quota, clock, provider } = await setup(server, { requestsPerMinute: 5 });
    await provider.complete(request());
    expect(await quota.usage(BUCKET, clock.now())).toMatchObject({ requests: 2, inFlight: 0 });
    expect(server.requests).toHaveLength(2);
  });

  it('ends the call with QuotaExhaustedError when the retry finds no room, and sends no retry', async () => {
    const server = new FakeOpenAIServer().script(
      { kind: 'status', status: 503 },
      { kind: 'reply', text: 'ok' },
    );
    const { quota, clock, provider } = await setup(server, { requestsPerMinute: 1 });
    await expect(provider.complete(request())).rejects.toMatchObject({ reason: 'requests' });
    expect(server.requests).toHaveLength(1);
    expect(await quota.usage(BUCKET, clock.now())).toMatchObject({ requests: 1, inFlight: 0 });
  });

  it('requires maxTokens under a tokensPerMinute limit, and refuses a model the limits do not cover', async () => {
    const server = new CountingOpenAIServer();
    const { provider } = await setup(server, { tokensPerMinute: 1_000 });
    await expect(provider.complete(request('hi', null))).rejects.toThrow(
      /tokensPerMinute limit needs maxTokens/,
    );
    await expect(provider.complete({ ...request(), model: 'other-model' })).rejects.toBeInstanceOf(
      ConfigurationError,
    );
    await expect(provider.complete(request('hi', 5_000))).rejects.toThrow(/more than tokensPerMinute/);
    expect(server.arrivals).toHaveLength(0);
  });

  it("applies a '*' entry to any model, and leaves a model a limits function skips unlimited", async () => {
    const server = new CountingOpenAIServer();
    const star = await setup(server, { '*': { requestsPerMinute: 1 } });
    await star.provider.complete({ ...request(), model: 'any-model' });
    await expect(star.provider.complete({ ...request(), model: 'any-model' })).rejects.toBeInstanceOf(
      QuotaExhaustedError,
    );
    const open = await setup(new CountingOpenAIServer(), (model) =>
      model === MODEL ? { requestsPerMinute: 1 } : undefined,
    );
    for (let i = 0; i < 3; i++) await open.provider.complete({ ...request(), model: 'free-model' });
    expect(await open.quota.usage('openai:free-model', open.clock.now())).toMatchObject({ requests: 0 });
  });

  it('keeps the provider name, cost and tool views of the wrapped provider', async () => {
    const server = new CountingOpenAIServer();
    const { provider } = await setup(server, { requestsPerMinute: 5 });
    const inner = openai(MODEL, { apiKey: 'sk-test' });
    expect(provider.name).toBe('openai');
    const tool = { name: 't', description: 'd', parameters: { type: 'object', properties: {} } };
    expect(provider.toolSpec?.(tool)).toEqual(inner.toolSpec?.(tool));
    const response = await provider.complete(request());
    expect(provider.cost?.(response)).toEqual(inner.cost?.(response));
  });

  it("estimates at least the prompt tokens the fake server counts from the provider's wire body", () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 200 });
    const message = fc.oneof(
      text.map((content) => ({ role: 'user' as const, content })),
      fc
        .tuple(
          text,
          fc.array(fc.tuple(fc.string(), fc.string(), fc.dictionary(fc.string(), fc.jsonValue())), {
            maxLength: 3,
          }),
        )
        .map(([content, calls]) => ({
          role: 'assistant' as const,
          content,
          toolCalls: calls.map(([id, name, args]) => ({ id, name, arguments: args })),
        })),
      fc.tuple(fc.string(), fc.string(), text).map(([callId, name, content]) => ({
        role: 'tool' as const,
        callId,
        name,
        content,
      })),
    );
    const tool = fc.record({
      name: fc.string(),
      description: text,
      parameters: fc.dictionary(fc.string(), fc.jsonValue()),
    });
    fc.assert(
      fc.property(
        fc.option(text, { nil: undefined }),
        fc.array(message, { maxLength: 6 }),
        fc.array(tool, { maxLength: 3 }),
        (system, messages, tools) => {
          const req: ModelRequest = {
            model: MODEL,
            // fast-check's JSON values are JSON; its types are wider than Kestrion's Json.
            messages: messages as ChatMessage[],
            tools: tools as ModelToolSpec[],
            ...(system === undefined ? {} : { system }),
          };
          expect(estimatePromptTokens(req)).toBeGreaterThanOrEqual(fakePromptTokens(toOpenAIParams(req)));
        },
      ),
      { numRuns: 300 },
    );
  });
});

function isLimits(value: unknown): value is QuotaLimits {
  const keys = Object.keys(value as object);
  return keys.every((k) => ['requestsPerMinute', 'tokensPerMinute', 'concurrentRequests'].includes(k));
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
