import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUOTA_MARGIN_MS, QUOTA_WINDOW_MS, type QuotaLimits } from '@kestrion/core';
import { openStore } from '@kestrion/store';
import {
  CountingOpenAIServer,
  createTestDatabase,
  maxConcurrent,
  scaledClock,
  type TestDatabase,
} from '@kestrion/testing';
import {
  quotaWorkerScript,
  type QuotaWorkerConfig,
  type QuotaWorkerReport,
} from '../../../bench/src/quota/quota-worker-protocol';

// Shared quotas across processes: worker processes (bench/src/quota/quota-worker-child), each
// with several concurrent callers of the real OpenAI provider under withQuota, share one
// QuotaStore through a SQLite file or a PostgreSQL database and call one CountingOpenAIServer
// in this process, which records what it saw. Needs `npm run build`.

const MODEL = 'gpt-quota';
const PROMPT = 'Summarise the quarterly numbers for the operations team in two sentences.';

function runWorker(config: QuotaWorkerConfig): Promise<QuotaWorkerReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [quotaWorkerScript(), JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`quota worker exited ${code}: ${err}`));
      resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as QuotaWorkerReport);
    });
  });
}

/** Opens the store once so the migrations run before the workers race to open it. */
async function migrated(url: string): Promise<string> {
  await (await openStore(url)).close();
  return url;
}

const stores: Array<[string, () => Promise<{ url: string; dispose(): Promise<void> }>]> = [
  [
    'a SQLite file',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'kestrion-quota-procs-'));
      return {
        url: await migrated(`sqlite://${join(dir, 'quota.db')}`),
        dispose: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const db: TestDatabase = await createTestDatabase('kestrion_quota_procs');
      return { url: await migrated(db.url), dispose: () => db.drop() };
    },
  ],
];

describe.each(stores)('withQuota shared by worker processes through %s', (_name, openDatabase) => {
  let database: { url: string; dispose(): Promise<void> };
  let server: CountingOpenAIServer | undefined;
  beforeAll(async () => {
    database = await openDatabase();
  });
  afterEach(async () => {
    await server?.close();
  });
  afterAll(async () => {
    await database.dispose();
  });

  it('admits exactly requestsPerMinute calls across 2 processes x 3 callers, then refuses until a window after the first settle', async () => {
    server = await new CountingOpenAIServer({ latencyMs: [20, 80], completionTokens: 12 }).start();
    const limits: QuotaLimits = { requestsPerMinute: 12 };
    const config: QuotaWorkerConfig = {
      storeUrl: database.url,
      serverUrl: server.url,
      model: `${MODEL}-short`,
      limits,
      callers: 3,
      mode: 'until-denied',
      maxTokens: 32,
      prompt: PROMPT,
    };
    const reports = await Promise.all([runWorker(config), runWorker(config)]);
    expect(reports.flatMap((r) => r.errors)).toEqual([]);
    const calls = reports.flatMap((r) => r.calls);
    expect(calls).toHaveLength(12);
    expect(server.arrivals).toHaveLength(12);
    expect(server.arrivals.every((a) => a.admitted)).toBe(true);
    // Both processes got some: the bucket is shared, not split.
    for (const r of reports) expect(r.calls.length).toBeGreaterThan(0);
    const denials = reports.flatMap((r) => r.denials);
    expect(denials).toHaveLength(6);
    const firstStart = Math.min(...calls.map((c) => c.startMs));
    const firstEnd = Math.min(...calls.map((c) => c.endMs));
    for (const d of denials) {
      expect(d.reason).toBe('requests');
      // The earliest settle (between the first start and the first end) plus the window.
      expect(d.retryAtMs).toBeGreaterThanOrEqual(firstStart + QUOTA_WINDOW_MS + QUOTA_MARGIN_MS);
      expect(d.retryAtMs).toBeLessThanOrEqual(firstEnd + QUOTA_WINDOW_MS + QUOTA_MARGIN_MS);
    }
  });

  it('keeps every window the server sees within the limits over 2.5 compressed minutes, and fills them', async () => {
    const speed = 25;
    const originMs = Date.now();
    const clock = scaledClock(originMs, speed);
    const limits = { requestsPerMinute: 30, tokensPerMinute: 1_500, concurrentRequests: 4 };
    // The server enforces the same limits itself: a request over them would be answered 429.
    server = await new CountingOpenAIServer({
      latencyMs: [20, 100],
      completionTokens: 40,
      limits,
      clock,
    }).start();
    const config: QuotaWorkerConfig = {
      storeUrl: database.url,
      serverUrl: server.url,
      model: `${MODEL}-long`,
      limits,
      callers: 4,
      mode: 'until-time',
      untilMs: clock() + 150_000,
      scale: { originMs, speed },
      maxTokens: 50,
      prompt: PROMPT,
      maxRetries: 0,
    };
    const reports = await Promise.all([runWorker(config), runWorker(config)]);
    expect(reports.flatMap((r) => r.errors)).toEqual([]);
    const refused = server.arrivals.filter((a) => !a.admitted);
    expect(refused).toEqual([]);
    const load = server.load(QUOTA_WINDOW_MS);
    expect(load.requests).toBeLessThanOrEqual(limits.requestsPerMinute);
    expect(load.tokens).toBeLessThanOrEqual(limits.tokensPerMinute);
    const served = server.arrivals.map((a) => ({ startMs: a.atMs, endMs: a.answeredAtMs }));
    expect(maxConcurrent(served)).toBeLessThanOrEqual(limits.concurrentRequests);
    // Filled: some window came within one call of a limit (the quota is not merely strict).
    const perCall = Math.max(...server.arrivals.map((a) => a.promptTokens + a.completionTokens));
    expect(load.requests === limits.requestsPerMinute || load.tokens > limits.tokensPerMinute - perCall).toBe(
      true,
    );
    expect(reports.flatMap((r) => r.denials).length).toBeGreaterThan(0);
    expect(server.arrivals.length).toBe(reports.reduce((n, r) => n + r.calls.length, 0));
  });
});
