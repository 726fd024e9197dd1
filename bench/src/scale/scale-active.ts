import { openStore } from '@kestrion/store';
import { spawnCountingServer } from '@kestrion/testing';
import { progress } from '../bench-util';
import { LineChild } from './scale-process';
import {
  type ScaleWorkerConfig,
  type ScaleWorkerProgress,
  type ScaleWorkerReport,
  scaleScript,
} from './scale-protocol';
import { submitRuns } from './scale-submit';
import { createScaleTarget } from './scale-target';

export interface ActiveOptions {
  runs: number;
  /** The model's latency: longer than it takes the worker to claim every run. */
  latencyMs: [number, number];
  /** How long every run is held in flight at once before the worker is stopped. */
  holdMs: number;
  timeoutMs: number;
}

export interface ActiveResult {
  options: ActiveOptions;
  /** From `go` until the worker drove every run at once (NaN: never). */
  allActiveAfterMs: number;
  /** Requests the server held unanswered when the worker was stopped. */
  inFlightAtServer: number;
  worker: ScaleWorkerReport;
}

/**
 * `runs` runs active at once in one worker (concurrency = runs, no quota, PostgreSQL): every
 * run claimed and waiting on its first model call, which takes longer than claiming them all.
 * Held for `holdMs` once the worker reports them all active, then stopped (1 s grace: the
 * calls in flight are abandoned, as a deploy would). Peak RSS is the worker's own sampling.
 */
export async function runActive(o: ActiveOptions): Promise<ActiveResult> {
  const target = await createScaleTarget('postgres');
  const server = await spawnCountingServer({ latencyMs: o.latencyMs, completionTokens: 16 });
  const store = await openStore(target.url);
  let worker: LineChild<ScaleWorkerProgress, ScaleWorkerReport> | undefined;
  try {
    await submitRuns(store, o.runs);
    const cfg: ScaleWorkerConfig = {
      label: 'w0',
      storeUrl: target.url,
      serverUrl: server.url,
      concurrency: o.runs,
      wakeups: true,
      progressMs: 500,
      stopGraceMs: 1_000,
    };
    worker = new LineChild('worker w0', scaleScript('scale-worker-child'), cfg);
    await worker.waitReady();
    const t0 = Date.now();
    worker.send('go');
    let allActiveAfterMs = NaN;
    let lastLog = t0;
    while (Date.now() - t0 < o.timeoutMs) {
      await new Promise((r) => setTimeout(r, 250));
      const p = worker.latest();
      if (p && p.active >= o.runs) {
        allActiveAfterMs = Date.now() - t0;
        await new Promise((r) => setTimeout(r, o.holdMs));
        break;
      }
      if (Date.now() - lastLog >= 15_000) {
        lastLog = Date.now();
        progress(
          `active: ${p?.active ?? 0}/${o.runs} runs active, RSS ${((p?.rssBytes ?? 0) / 2 ** 20).toFixed(0)} MiB`,
        );
      }
    }
    const inFlightAtServer = (await server.arrivals()).filter((a) => a.answeredAtMs === a.atMs).length;
    const report = await worker.stop();
    return { options: o, allActiveAfterMs, inFlightAtServer, worker: report };
  } finally {
    worker?.kill();
    await server.close();
    await store.close();
    await target.drop();
  }
}
