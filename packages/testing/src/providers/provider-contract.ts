import {
  IncompleteResponseError,
  ProviderCancelledError,
  ProviderError,
  ProviderTimeoutError,
  type ModelRequest,
  type ModelResponse,
  type ModelUsage,
  type Provider,
} from '@kestrion/core';
import type { ModelPrice } from '@kestrion/core/provider-kit';
import type { FakeModelServer } from '../fakes/fake-model-server';
import type { FakeReply, FakeToolCall } from '../fakes/fake-turn';
import { fuzzedToolArguments } from './fuzzed-tool-arguments';

/** What the contract hands a subject's provider factory. */
export interface ContractProviderOptions {
  /** The fake server's base URL (`server.url`). */
  baseURL: string;
  maxRetries: number;
  timeoutMs: number;
  /** Small backoff so retry tests take milliseconds. */
  retry: { baseDelayMs: number };
  /** The price the provider must charge for every call. */
  pricing: ModelPrice;
}

/** One implementation under the contract: a fake server of its wire format and a provider on it. */
export interface ProviderContractSubject {
  /** Not yet started: the contract starts and closes it. */
  server: FakeModelServer;
  model: string;
  provider(options: ContractProviderOptions): Provider;
  /** Which cache token counts the vendor reports: Anthropic both, OpenAI reads, Ollama none. */
  cacheTokens: 'read-and-write' | 'read' | 'none';
}

const PRICE: ModelPrice = {
  inputPerMTok: 3,
  outputPerMTok: 15,
  cacheReadPerMTok: 0.3,
  cacheWritePerMTok: 3.75,
};
const TEXT = 'The pod web-7 restarted 3 times; its liveness probe fails on /healthz.';
const CALLS: FakeToolCall[] = [
  { id: 'call_a1', name: 'get_pod', arguments: '{"name":"web-7","namespace":"prod"}' },
  { id: 'call_b2', name: 'get_logs', arguments: '{"pod":"web-7","tail":50,"previous":true}' },
];
const REQUEST: ModelRequest = {
  model: '',
  system: 'You are a careful SRE.',
  messages: [{ role: 'user', content: 'Why does web-7 restart?' }],
  tools: [
    {
      name: 'get_pod',
      description: 'Reads a pod.',
      parameters: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
    },
  ],
  maxTokens: 512,
};

/**
 * The provider contract: every adapter runs it with one call against its wire-format fake,
 * through its real SDK. Text, parallel tool calls, usage and cost, streaming equal to JSON,
 * retries (429 with Retry-After, 5xx with backoff, 4xx never), timeouts and cancels, cut
 * streams never returned as complete, and malformed or hostile tool JSON never crashing.
 */
export function describeProviderContract(name: string, makeSubject: () => ProviderContractSubject): void {
  describe(`${name} provider contract`, () => {
    const subject = makeSubject();
    const server = subject.server;
    const request: ModelRequest = { ...REQUEST, model: subject.model };
    const make = (overrides: Partial<ContractProviderOptions> = {}): Provider =>
      subject.provider({
        baseURL: server.url,
        maxRetries: 0,
        timeoutMs: 5_000,
        retry: { baseDelayMs: 1 },
        pricing: PRICE,
        ...overrides,
      });
    const streamed = async (provider: Provider, deltas: string[] = []): Promise<ModelResponse> =>
      provider.complete(request, { onTextDelta: (delta) => deltas.push(delta) });

    beforeAll(async () => {
      await server.start();
    });
    afterAll(async () => {
      await server.close();
    });
    beforeEach(() => server.reset());

    it('answers a text prompt with the text, an end stop reason and the model', async () => {
      server.script({ kind: 'reply', text: TEXT });
      const response = await make().complete(request);
      expect(response).toMatchObject({ text: TEXT, toolCalls: [], stopReason: 'end', model: subject.model });
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]?.streamed).toBe(false);
      expect(JSON.stringify(server.requests[0]?.body)).toContain('Why does web-7 restart?');
    });

    it.each(['json', 'stream'])('returns parallel tool calls with parsed arguments (%s)', async (mode) => {
      server.script({ kind: 'reply', text: 'Checking.', toolCalls: CALLS });
      const provider = make();
      const response = mode === 'json' ? await provider.complete(request) : await streamed(provider);
      expect(response.stopReason).toBe('tool_use');
      expect(response.toolCalls.map((c) => [c.name, c.arguments, c.malformed])).toEqual([
        ['get_pod', { name: 'web-7', namespace: 'prod' }, undefined],
        ['get_logs', { pod: 'web-7', tail: 50, previous: true }, undefined],
      ]);
      expect(new Set(response.toolCalls.map((c) => c.id)).size).toBe(2);
    });

    it('reports usage and prices the call with the given pricing', async () => {
      const usage = { inputTokens: 1200, outputTokens: 300, cacheReadTokens: 4000, cacheWriteTokens: 500 };
      server.script({ kind: 'reply', text: TEXT, usage });
      const provider = make();
      const response = await provider.complete(request);
      const expected: ModelUsage = { inputTokens: 1200, outputTokens: 300 };
      if (subject.cacheTokens !== 'none') expected.cacheReadTokens = 4000;
      if (subject.cacheTokens === 'read-and-write') expected.cacheWriteTokens = 500;
      expect(response.usage).toEqual(expected);
      const cost = provider.cost?.(response);
      const usd =
        (usage.inputTokens * 3 +
          usage.outputTokens * 15 +
          (expected.cacheReadTokens ?? 0) * 0.3 +
          (expected.cacheWriteTokens ?? 0) * 3.75) /
        1e6;
      expect(cost?.usd).toBeCloseTo(usd, 10);
      expect(cost?.inputTokens).toBe(1200);
    });

    it('streams text deltas through onTextDelta and resolves to the same response as unstreamed', async () => {
      const reply: FakeReply = {
        kind: 'reply',
        text: TEXT,
        toolCalls: CALLS,
        usage: { inputTokens: 90, outputTokens: 40 },
      };
      server.script(reply, reply);
      const provider = make();
      const whole = await provider.complete(request);
      const deltas: string[] = [];
      const pieces = await streamed(provider, deltas);
      expect(server.requests.map((r) => r.streamed)).toEqual([false, true]);
      expect(deltas.length).toBeGreaterThan(3);
      expect(deltas.join('')).toBe(TEXT);
      expect(pieces).toEqual(whole);
    });

    it('honours Retry-After on a 429, then succeeds', async () => {
      server.script({ kind: 'status', status: 429, retryAfter: '0.2' }, { kind: 'reply', text: TEXT });
      const response = await make({ maxRetries: 2 }).complete(request);
      expect(response.text).toBe(TEXT);
      const [first, second] = server.requests;
      expect(server.requests).toHaveLength(2);
      expect((second?.atMs ?? 0) - (first?.atMs ?? 0)).toBeGreaterThanOrEqual(190);
    });

    it('throws a retryable ProviderError with status 429 when retries are used up', async () => {
      server.script(
        { kind: 'status', status: 429, retryAfter: '0' },
        { kind: 'status', status: 429, retryAfter: '0' },
      );
      const error = await make({ maxRetries: 1 })
        .complete(request)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 0 });
      expect(server.requests).toHaveLength(2);
    });

    it('retries 500s with exponential backoff and returns the answer', async () => {
      server.script(
        { kind: 'status', status: 500 },
        { kind: 'status', status: 503 },
        { kind: 'reply', text: TEXT },
      );
      const response = await make({ maxRetries: 2, retry: { baseDelayMs: 60 } }).complete(request);
      expect(response.text).toBe(TEXT);
      const at = server.requests.map((r) => r.atMs);
      expect(at).toHaveLength(3);
      // Equal jitter: the first wait is 30-60 ms, the second 60-120 ms.
      expect((at[1] ?? 0) - (at[0] ?? 0)).toBeGreaterThanOrEqual(28);
      expect((at[2] ?? 0) - (at[1] ?? 0)).toBeGreaterThanOrEqual(58);
    });

    it.each([400, 401, 403])(
      'does not retry a %d: exactly one request, a non-retryable ProviderError',
      async (status) => {
        server.script({ kind: 'status', status }, { kind: 'reply', text: TEXT });
        const error = await make({ maxRetries: 3 })
          .complete(request)
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ProviderError);
        expect(error).toMatchObject({ status, retryable: false });
        expect(server.requests).toHaveLength(1);
      },
    );

    it('times out a stalled attempt with a retryable ProviderTimeoutError', async () => {
      server.script({ kind: 'stall' });
      const started = performance.now();
      const error = await make({ timeoutMs: 250 })
        .complete(request)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderTimeoutError);
      expect(error).toMatchObject({ code: 'provider_timeout', retryable: true });
      expect(performance.now() - started).toBeLessThan(3_000);
    });

    it('retries a timed-out attempt and returns the next answer', async () => {
      server.script({ kind: 'stall' }, { kind: 'reply', text: TEXT });
      const response = await make({ timeoutMs: 250, maxRetries: 1 }).complete(request);
      expect(response.text).toBe(TEXT);
      expect(server.requests).toHaveLength(2);
    });

    it("stops at the caller's AbortSignal.timeout with a ProviderTimeoutError and no retry", async () => {
      server.script({ kind: 'stall' }, { kind: 'reply', text: TEXT });
      const error = await make({ maxRetries: 3 })
        .complete(request, { signal: AbortSignal.timeout(200) })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderTimeoutError);
      expect(server.requests).toHaveLength(1);
    });

    it('honours a per-call timeoutMs over the provider default', async () => {
      server.script({ kind: 'stall' });
      const error = await make({ timeoutMs: 30_000 })
        .complete(request, { timeoutMs: 200 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderTimeoutError);
    });

    it('turns a caller abort into a non-retryable ProviderCancelledError', async () => {
      server.script({ kind: 'stall' }, { kind: 'reply', text: TEXT });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const error = await make({ maxRetries: 3 })
        .complete(request, { signal: controller.signal })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderCancelledError);
      expect(error).toMatchObject({ code: 'cancelled', retryable: false });
      expect(server.requests).toHaveLength(1);
    });

    it.each(['destroy', 'end'] as const)(
      'rejects a stream cut mid-way (%s) with a retryable IncompleteResponseError, never a partial response',
      async (how) => {
        server.script({ kind: 'cut', how, reply: { kind: 'reply', text: TEXT, toolCalls: CALLS } });
        const deltas: string[] = [];
        const error = await streamed(make(), deltas).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(IncompleteResponseError);
        expect(error).toMatchObject({ retryable: true });
        expect(deltas.join('')).not.toBe(TEXT);
      },
    );

    it('rejects a JSON body cut mid-way with a retryable ProviderError', async () => {
      server.script({ kind: 'cut', how: 'destroy', reply: { kind: 'reply', text: TEXT } });
      const error = await make()
        .complete(request)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ retryable: true });
    });

    it('retries a cut stream and restarts the deltas with the next attempt number', async () => {
      const reply: FakeReply = { kind: 'reply', text: TEXT };
      server.script({ kind: 'cut', how: 'destroy', reply }, reply);
      const attempts = new Map<number, string>();
      const response = await make({ maxRetries: 1 }).complete(request, {
        onTextDelta: (delta, { attempt }) => attempts.set(attempt, (attempts.get(attempt) ?? '') + delta),
      });
      expect(response.text).toBe(TEXT);
      expect(attempts.get(2)).toBe(TEXT);
      expect(server.requests).toHaveLength(2);
    });

    it('fails the call with the error onTextDelta threw, without retrying', async () => {
      server.script({ kind: 'reply', text: TEXT }, { kind: 'reply', text: TEXT });
      const boom = new Error('display crashed');
      const error = await make({ maxRetries: 2 })
        .complete(request, {
          onTextDelta: () => {
            throw boom;
          },
        })
        .catch((e: unknown) => e);
      expect(error).toBe(boom);
      expect(server.requests).toHaveLength(1);
    });

    it.each(['json', 'stream'])(
      'returns a malformed tool call with malformed: true and its raw text (%s)',
      async (mode) => {
        const broken = '{"path": "/var/log/app.log", "lines": 20';
        server.script({
          kind: 'reply',
          toolCalls: [{ id: 'call_bad', name: 'read_file', arguments: broken }, CALLS[0] as FakeToolCall],
        });
        const provider = make();
        const response = mode === 'json' ? await provider.complete(request) : await streamed(provider);
        expect(response.toolCalls[0]).toMatchObject({
          name: 'read_file',
          arguments: broken,
          malformed: true,
        });
        expect(response.toolCalls[1]).toMatchObject({
          name: 'get_pod',
          arguments: { name: 'web-7', namespace: 'prod' },
        });
        expect(response.toolCalls[1]?.malformed).toBeUndefined();
      },
    );

    it('survives 1,000 fuzzed malformed and hostile tool-call payloads with no crash and no prototype pollution', async () => {
      const payloads = fuzzedToolArguments(1_000);
      const batches: (typeof payloads)[] = [];
      for (let i = 0; i < payloads.length; i += 50) batches.push(payloads.slice(i, i + 50));
      const provider = make();
      let checked = 0;
      for (const [b, batch] of batches.entries()) {
        server.reset();
        server.script({
          kind: 'reply',
          toolCalls: batch.map((p, i) => ({ id: `call_${b}_${i}`, name: 'fuzz', arguments: p.raw })),
        });
        const response = b % 2 === 0 ? await provider.complete(request) : await streamed(provider);
        expect(response.toolCalls).toHaveLength(batch.length);
        for (const [i, payload] of batch.entries()) {
          const call = response.toolCalls[i];
          if (payload.kind === 'hostile') expect(call?.malformed).toBe(true);
          if (payload.kind === 'garbage' || payload.kind === 'not-object')
            expect(call).toMatchObject({ malformed: true, arguments: payload.raw });
          if (call?.malformed === true) expect(typeof call.arguments).toBe('string');
          else expect(call?.arguments).toEqual(expect.any(Object));
          checked += 1;
        }
      }
      expect(checked).toBe(1_000);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
    });
  });
}
