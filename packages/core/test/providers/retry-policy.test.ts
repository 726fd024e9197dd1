import {
  ConfigurationError,
  ProviderError,
  ProviderTimeoutError,
  ProviderCancelledError,
} from '@kestrion/core';
import {
  parseRetryAfterMs,
  retryDelayMs,
  retryPolicy,
  runProviderCall,
  type RetryPolicy,
} from '@kestrion/core/provider-kit';

const policy = (overrides: Partial<RetryPolicy> = {}): RetryPolicy =>
  retryPolicy({
    maxRetries: 3,
    baseDelayMs: 100,
    maxDelayMs: 1_000,
    random: () => 1 - Number.EPSILON,
    ...overrides,
  });

describe('retryDelayMs', () => {
  it('doubles the backoff ceiling with each retry and caps it at maxDelayMs', () => {
    const error = new ProviderError('p', 'down', { status: 500 });
    const top = [1, 2, 3, 4, 5].map((n) =>
      Math.round(retryDelayMs(error, n, policy({ maxRetries: 9 })) ?? -1),
    );
    expect(top).toEqual([100, 200, 400, 800, 1_000]);
    expect(retryDelayMs(error, 2, policy({ random: () => 0 }))).toBe(100);
  });

  it('waits exactly what Retry-After asked for, ignoring the backoff', () => {
    const error = new ProviderError('p', 'slow down', { status: 429, retryAfterMs: 2_500 });
    expect(retryDelayMs(error, 1, policy())).toBe(2_500);
  });

  it('gives up at once on a Retry-After longer than maxRetryAfterMs', () => {
    const error = new ProviderError('p', 'come back tomorrow', { status: 429, retryAfterMs: 86_400_000 });
    expect(retryDelayMs(error, 1, policy())).toBeUndefined();
  });

  it.each([400, 401, 403, 404, 422])('never retries a %d', (status) => {
    expect(retryDelayMs(new ProviderError('p', 'no', { status }), 1, policy())).toBeUndefined();
  });

  it('retries 408, 409, 429, 5xx and status-less failures', () => {
    for (const status of [408, 409, 429, 500, 502, 503, 529])
      expect(retryDelayMs(new ProviderError('p', 'x', { status }), 1, policy())).toBeDefined();
    expect(retryDelayMs(new ProviderError('p', 'reset'), 1, policy())).toBeDefined();
  });

  it('stops after maxRetries and never retries errors that are not retryable KestrionErrors', () => {
    const error = new ProviderTimeoutError('p', 10);
    expect(retryDelayMs(error, 3, policy())).toBeDefined();
    expect(retryDelayMs(error, 4, policy())).toBeUndefined();
    expect(retryDelayMs(new ConfigurationError('bad key'), 1, policy())).toBeUndefined();
    expect(retryDelayMs(new Error('plain'), 1, policy())).toBeUndefined();
  });
});

describe('parseRetryAfterMs', () => {
  const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name] ?? null });

  it('prefers retry-after-ms, then reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfterMs(headers({ 'retry-after-ms': '150', 'retry-after': '9' }), 0)).toBe(150);
    expect(parseRetryAfterMs(headers({ 'retry-after': '1.5' }), 0)).toBe(1_500);
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(parseRetryAfterMs(headers({ 'retry-after': 'Thu, 01 Jan 2026 12:00:30 GMT' }), now)).toBe(30_000);
    expect(parseRetryAfterMs(headers({ 'retry-after': 'Thu, 01 Jan 2026 11:00:00 GMT' }), now)).toBe(0);
  });

  it('returns undefined for a missing, empty or unreadable header', () => {
    expect(parseRetryAfterMs(undefined, 0)).toBeUndefined();
    expect(parseRetryAfterMs(headers({}), 0)).toBeUndefined();
    expect(parseRetryAfterMs(headers({ 'retry-after-ms': '', 'retry-after': 'soon' }), 0)).toBeUndefined();
    expect(parseRetryAfterMs(headers({ 'retry-after': '-3' }), 0)).toBeUndefined();
  });
});

describe('runProviderCall', () => {
  const translate = (error: unknown) => new ProviderError('p', String(error));

  it('retries through the injected sleep with the policy delays, then returns the answer', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await runProviderCall(
      {
        provider: 'p',
        timeoutMs: 1_000,
        translate,
        policy: policy({ sleep: async (ms) => void waits.push(ms) }),
      },
      async ({ attempt }) => {
        calls += 1;
        if (attempt < 3) throw new ProviderError('p', 'busy', { status: 503 });
        return 'ok';
      },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(waits.map(Math.round)).toEqual([100, 200]);
  });

  it('translates a foreign error and does not retry it when the translation is not retryable', async () => {
    let calls = 0;
    const error = await runProviderCall(
      {
        provider: 'p',
        timeoutMs: 1_000,
        policy: policy({ sleep: async () => undefined }),
        translate: (e) => new ProviderError('p', String(e), { status: 401 }),
      },
      async () => {
        calls += 1;
        throw new TypeError('sdk said no');
      },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, retryable: false });
    expect(calls).toBe(1);
  });

  it('stops with ProviderCancelledError when the caller aborts during the backoff wait', async () => {
    const controller = new AbortController();
    let calls = 0;
    const error = await runProviderCall(
      {
        provider: 'p',
        timeoutMs: 1_000,
        translate,
        signal: controller.signal,
        policy: policy({
          sleep: async () => {
            controller.abort();
          },
        }),
      },
      async () => {
        calls += 1;
        throw new ProviderError('p', 'busy', { status: 503 });
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderCancelledError);
    expect(calls).toBe(1);
  });

  it('aborts the attempt signal at timeoutMs and throws ProviderTimeoutError', async () => {
    const error = await runProviderCall(
      { provider: 'p', timeoutMs: 30, translate, policy: policy({ maxRetries: 0 }) },
      ({ signal }) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderTimeoutError);
  });
});
