import {
  CountingOpenAIServer,
  fakePromptTokens,
  maxConcurrent,
  maxWindowLoad,
  spawnCountingServer,
} from '@kestrion/testing';

// The counting fake is what the quota tests measure against: its counts, its own limits and its
// record must be right on their own.

const body = (content: string, maxTokens?: number) => ({
  model: 'gpt-x',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content },
  ],
  ...(maxTokens === undefined ? {} : { max_completion_tokens: maxTokens }),
});

async function post(url: string, payload: unknown): Promise<Response> {
  return fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
}

describe('CountingOpenAIServer', () => {
  let server: CountingOpenAIServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  it('answers with usage computed from the request, after its latency, and records the arrival', async () => {
    const times = [1_000, 1_500]; // read at arrival, then when answering
    server = await new CountingOpenAIServer({
      latencyMs: 60,
      completionTokens: 30,
      clock: () => times.shift() ?? 9_999,
    }).start();
    const started = Date.now();
    const request = body('x'.repeat(41), 12);
    const pending = post(server.url, request);
    const json = (await (await pending).json()) as {
      usage: { prompt_tokens: number; completion_tokens: number };
    };
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect(fakePromptTokens(request)).toBe(13); // (9 + 41) / 4, rounded up
    expect(json.usage).toMatchObject({ prompt_tokens: 13, completion_tokens: 12 }); // capped by max tokens
    expect(server.arrivals).toEqual([
      { atMs: 1_000, promptTokens: 13, completionTokens: 12, admitted: true, answeredAtMs: 1_500 },
    ]);
  });

  it('refuses a request over its own requests limit with 429 and the wait until the oldest ages out', async () => {
    let now = 0;
    server = await new CountingOpenAIServer({ limits: { requestsPerMinute: 2 }, clock: () => now }).start();
    expect((await post(server.url, body('a'))).status).toBe(200);
    now = 5_000;
    expect((await post(server.url, body('b'))).status).toBe(200);
    now = 10_000;
    const refused = await post(server.url, body('c'));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('50.000');
    now = 59_999;
    expect((await post(server.url, body('c'))).status).toBe(429);
    now = 60_000;
    expect((await post(server.url, body('c'))).status).toBe(200);
    expect(server.arrivals.map((a) => a.admitted)).toEqual([true, true, false, false, true]);
    expect(server.load()).toMatchObject({ requests: 2 });
  });

  it('refuses a request over its own tokens limit', async () => {
    const now = 0;
    server = await new CountingOpenAIServer({
      completionTokens: 10,
      limits: { tokensPerMinute: 50 },
      clock: () => now,
    }).start();
    // 'Be brief.' + 31 characters: 10 prompt tokens, 10 completion tokens each.
    for (const expected of [200, 200, 429])
      expect((await post(server.url, body('y'.repeat(31)))).status).toBe(expected);
    expect(server.load()).toEqual({ requests: 2, tokens: 40 });
  });

  it('runs as a process of its own, its record read over HTTP', async () => {
    const child = await spawnCountingServer({ completionTokens: 5 });
    try {
      expect((await post(child.url, body('hello'))).status).toBe(200);
      const arrivals = await child.arrivals();
      expect(arrivals).toHaveLength(1);
      expect(arrivals[0]).toMatchObject({ promptTokens: 4, completionTokens: 5, admitted: true });
    } finally {
      await child.close();
    }
    await expect(post(child.url, body('again'))).rejects.toThrow();
  });
});

describe('window loads', () => {
  it('counts requests that could share a window: latest start within the window of the earliest end', () => {
    const a = { startMs: 0, endMs: 50_000, tokens: 10 };
    const b = { startMs: 100_000, endMs: 100_500, tokens: 20 };
    expect(maxWindowLoad([a, b], 60_000)).toEqual({ requests: 2, tokens: 30 }); // seen at 50 s and 100 s
    expect(maxWindowLoad([a, b], 50_000)).toEqual({ requests: 1, tokens: 20 });
    const points = [0, 59_999, 60_000, 61_000].map((t) => ({ startMs: t, endMs: t, tokens: 1 }));
    expect(maxWindowLoad(points, 60_000)).toEqual({ requests: 3, tokens: 3 });
  });

  it('counts concurrency with an end freeing its slot before a start at the same time', () => {
    expect(
      maxConcurrent([
        { startMs: 0, endMs: 10 },
        { startMs: 10, endMs: 20 },
        { startMs: 5, endMs: 15 },
      ]),
    ).toBe(2);
  });
});
