/**
 * A worker process of the scale bench: argv[2] is a ScaleWorkerConfig. Opens the store, puts
 * the real OpenAI provider (pointed at the counting server) under `withQuota` on the store's
 * QuotaStore when limits are given, and builds a `Worker` over one Engine of the scale graph.
 * Prints `ready`, starts claiming on the stdin line `go`, prints `progress <json>` every
 * `progressMs`, and on `stop` (or stdin's end) stops gracefully and prints `report <json>`.
 * RSS is sampled every 100 ms from start to stop.
 */
import { writeSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Engine, withQuota, type Provider } from '@kestrion/core';
import { openai } from '@kestrion/openai';
import { Worker } from '@kestrion/scheduler';
import { openStore, postgresWakeups, quotaStoreFor } from '@kestrion/store';
import { scaleGraph } from './scale-graph';
import { SCALE_MODEL, type ScaleWorkerConfig, type ScaleWorkerProgress } from './scale-protocol';
import { CallTimings, timedCalls } from './timed-calls';
import { counterByLabel, counterTotal, histogramsByKind } from './worker-metric-values';

const say = (line: string): void => void writeSync(1, `${line}\n`);

/** Resolves on each stdin line in turn; `stop` also when stdin ends. */
function commands(): { next(word: string): Promise<void> } {
  const seen: string[] = [];
  const waiters: Array<{ word: string; resolve: () => void }> = [];
  const hear = (word: string): void => {
    seen.push(word);
    for (const w of waiters.filter((x) => x.word === word)) w.resolve();
  };
  createInterface({ input: process.stdin })
    .on('line', (line) => hear(line.trim()))
    .on('close', () => hear('stop'));
  return {
    next: (word) =>
      seen.includes(word) ? Promise.resolve() : new Promise((resolve) => waiters.push({ word, resolve })),
  };
}

async function main(cfg: ScaleWorkerConfig): Promise<void> {
  const stdin = commands();
  const opened = await openStore(cfg.storeUrl);
  // Every store, quota store and HTTP call of this process timed, to say where the time goes.
  const timings = new CallTimings();
  const store = timedCalls(opened, 'store', timings);
  const model = timedCalls(
    openai(SCALE_MODEL, {
      apiKey: 'scale-bench',
      baseURL: cfg.serverUrl,
      ...(cfg.modelTimeoutMs === undefined ? {} : { timeoutMs: cfg.modelTimeoutMs }),
    }),
    'model',
    timings,
  );
  const quota = timedCalls(quotaStoreFor(opened), 'quota', timings);
  const provider: Provider = cfg.limits
    ? withQuota(model, { quota, limits: { [SCALE_MODEL]: cfg.limits } })
    : model;
  const engine = new Engine({ store, graph: scaleGraph(), provider, owner: `${cfg.label}:${process.pid}` });
  const errors: string[] = [];
  let errorCount = 0;
  const worker = new Worker({
    agents: [engine],
    owner: `${cfg.label}:${process.pid}`,
    concurrency: cfg.concurrency,
    ...(cfg.wakeups ? { wakeups: postgresWakeups(cfg.storeUrl) } : {}),
    onError: (error, runId) => {
      errorCount += 1;
      if (errors.length < 5) errors.push(`${runId ?? '-'}: ${String(error)}`);
    },
  });
  say('ready');
  await stdin.next('go');

  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  let peakRss = process.memoryUsage().rss;
  let peakActive = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    peakActive = Math.max(peakActive, worker.activeRuns.length);
  }, 100);
  const progress = async (): Promise<ScaleWorkerProgress> => {
    const driven = await counterByLabel(worker.metrics.driven, 'outcome');
    return {
      label: cfg.label,
      completed: driven.completed ?? 0,
      parked: driven.waiting_on_human ?? 0,
      claims: await counterTotal(worker.metrics.claims),
      active: worker.activeRuns.length,
      rssBytes: process.memoryUsage().rss,
    };
  };
  const reporter = setInterval(
    () => void progress().then((p) => say(`progress ${JSON.stringify(p)}`)),
    cfg.progressMs,
  );
  await worker.start();
  await stdin.next('stop');
  clearInterval(reporter);
  await worker.stop(cfg.stopGraceMs ?? 10_000);
  clearInterval(sampler);
  loop.disable();
  const cpu = process.cpuUsage(cpu0);
  const m = worker.metrics;
  say(
    `report ${JSON.stringify({
      label: cfg.label,
      pid: process.pid,
      peakRssBytes: peakRss,
      claims: await counterTotal(m.claims),
      claimErrors: await counterTotal(m.claimErrors),
      driven: await counterByLabel(m.driven, 'outcome'),
      quotaWaits: await counterTotal(m.quotaWaits),
      claimLatency: await histogramsByKind(m.claimLatency),
      peakActive,
      loopDelayP99Ms: loop.percentile(99) / 1e6,
      loopDelayMaxMs: loop.max / 1e6,
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs: Date.now() - t0,
      errors: errorCount,
      firstErrors: errors,
      timings: timings.summary(),
    })}`,
  );
  await store.close();
  process.exit(0);
}

main(JSON.parse(process.argv[2] ?? '{}') as ScaleWorkerConfig).catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
