/**
 * A worker process for the shared-quota tests and benchmark: `callers` concurrent loops calling
 * the real OpenAI provider against a counting server, under `withQuota` on the store at
 * `storeUrl` (its QuotaStore, shared with every other worker). argv[2] is a QuotaWorkerConfig;
 * prints one QuotaWorkerReport line.
 */
import { QuotaExhaustedError, withQuota, type Clock, type ModelRequest } from '@kestrion/core';
import { openai } from '@kestrion/openai';
import { openStore, quotaStoreFor } from '@kestrion/store';
import { scaledClock } from '@kestrion/testing';
import type { QuotaWorkerConfig, QuotaWorkerReport } from './quota-worker-protocol';

async function main(config: QuotaWorkerConfig): Promise<QuotaWorkerReport> {
  const store = await openStore(config.storeUrl);
  const now = config.scale ? scaledClock(config.scale.originMs, config.scale.speed) : () => Date.now();
  const clock: Clock = { now };
  const speed = config.scale?.speed ?? 1;
  const provider = withQuota(
    openai(config.model, {
      apiKey: 'test-key',
      baseURL: config.serverUrl,
      maxRetries: config.maxRetries ?? 2,
    }),
    { quota: quotaStoreFor(store), limits: { [config.model]: config.limits }, clock },
  );
  const request: ModelRequest = {
    model: config.model,
    messages: [{ role: 'user', content: config.prompt }],
    maxTokens: config.maxTokens,
  };
  const report: QuotaWorkerReport = { pid: process.pid, calls: [], denials: [], errors: [] };
  const caller = async (): Promise<void> => {
    for (;;) {
      if (config.mode === 'until-time' && now() >= (config.untilMs ?? 0)) return;
      const startMs = now();
      try {
        const response = await provider.complete(request);
        report.calls.push({
          startMs,
          endMs: now(),
          tokens: response.usage.inputTokens + response.usage.outputTokens,
        });
      } catch (error) {
        if (!(error instanceof QuotaExhaustedError)) {
          report.errors.push(String(error));
          return;
        }
        report.denials.push({ atMs: startMs, reason: error.reason, retryAtMs: error.retryAtMs });
        if (config.mode === 'until-denied') return;
        const waitMs = Math.min(error.retryAtMs, config.untilMs ?? error.retryAtMs) - now();
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, waitMs / speed)));
      }
    }
  };
  await Promise.all(Array.from({ length: config.callers }, caller));
  await store.close();
  return report;
}

main(JSON.parse(process.argv[2] ?? '{}') as QuotaWorkerConfig)
  .then((report) => process.stdout.write(`${JSON.stringify(report)}\n`))
  .catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
