import { loadavg } from 'node:os';
import type { QuotaLimits } from '@kestrion/core';
import { openStore } from '@kestrion/store';
import { arrivalsLoad, spawnCountingServer, type ServerArrival } from '@kestrion/testing';
import { progress } from '../bench-util';
import { busyShare, cpuTicks } from './machine-cpu';
import { analyseRuns, type RunsAnalysis } from './scale-analysis';
import { LineChild } from './scale-process';
import {
  type ScaleApproverConfig,
  type ScaleApproverReport,
  type ScaleWorkerConfig,
  type ScaleWorkerProgress,
  type ScaleWorkerReport,
  scaleScript,
} from './scale-protocol';
import { submitRuns } from './scale-submit';
import { createScaleTarget, type ScaleStoreKind } from './scale-target';

/** One configuration: workers × store, under a quota or not. */
export interface TrialOptions {
  name: string;
  store: ScaleStoreKind;
  workers: number;
  runs: number;
  /** Runs each worker drives at once. */
  concurrency: number;
  /** The shared quota of the model (absent: no quota wrapper at all). */
  limits?: QuotaLimits;
  /** The counting server's latency per request, ms. */
  latencyMs: [number, number];
  completionTokens: number;
  /** Give up waiting for completion after this long. */
  timeoutMs: number;
}

/** What the counting server saw (its own record, read over HTTP). */
export interface ServerCount {
  requests: number;
  refused: number;
  tokens: number;
  /** The most requests and tokens that arrived in any 60 s window. */
  peakWindow: { requests: number; tokens: number };
  firstMs: number;
  lastMs: number;
}

export interface TrialResult {
  options: TrialOptions;
  submitMs: number;
  /** From `go` to the last run's `run.completed` (or to the timeout). */
  elapsedMs: number;
  timedOut: boolean;
  /** Share of the machine's CPU (every process, both cores) busy from `go` to the end. */
  machineBusy: number;
  /** 1-minute load average at the end. */
  loadAfter: number;
  workers: ScaleWorkerReport[];
  approver: ScaleApproverReport;
  server: ServerCount;
  runs: RunsAnalysis;
}

export function serverCount(arrivals: readonly ServerArrival[]): ServerCount {
  const admitted = arrivals.filter((a) => a.admitted);
  return {
    requests: admitted.length,
    refused: arrivals.length - admitted.length,
    tokens: admitted.reduce((s, a) => s + a.promptTokens + a.completionTokens, 0),
    peakWindow: arrivalsLoad(arrivals, 60_000),
    firstMs: admitted.reduce((m, a) => Math.min(m, a.atMs), Infinity),
    lastMs: admitted.reduce((m, a) => Math.max(m, a.atMs), 0),
  };
}

/**
 * Runs one configuration: a fresh store and counting server; `runs` runs submitted; the
 * workers and the approver started as processes; `go`; waits until every run completed (the
 * workers' progress lines), then stops them and reads the server's record and the logs.
 */
export async function runTrial(o: TrialOptions): Promise<TrialResult> {
  const target = await createScaleTarget(o.store);
  const server = await spawnCountingServer({ latencyMs: o.latencyMs, completionTokens: o.completionTokens });
  const store = await openStore(target.url);
  const children: Array<LineChild<unknown, unknown>> = [];
  try {
    const s0 = Date.now();
    const runIds = await submitRuns(store, o.runs);
    const submitMs = Date.now() - s0;
    const workers = Array.from({ length: o.workers }, (_, i) => {
      const cfg: ScaleWorkerConfig = {
        label: `w${i}`,
        storeUrl: target.url,
        serverUrl: server.url,
        concurrency: o.concurrency,
        wakeups: o.store === 'postgres',
        progressMs: 1_000,
        ...(o.limits ? { limits: o.limits } : {}),
      };
      return new LineChild<ScaleWorkerProgress, ScaleWorkerReport>(
        `worker w${i}`,
        scaleScript('scale-worker-child'),
        cfg,
      );
    });
    const approverCfg: ScaleApproverConfig = {
      storeUrl: target.url,
      mode: 'drain',
      pollMs: 50,
      concurrency: 8,
    };
    const approver = new LineChild<never, ScaleApproverReport>(
      'approver',
      scaleScript('scale-approver-child'),
      approverCfg,
    );
    children.push(...workers, approver);
    await Promise.all(children.map((c) => c.waitReady()));
    const t0 = Date.now();
    const ticks0 = cpuTicks();
    for (const w of workers) w.send('go');
    let lastLog = t0;
    let timedOut = false;
    for (;;) {
      await new Promise((r) => setTimeout(r, 500));
      const done = workers.reduce((s, w) => s + (w.latest()?.completed ?? 0), 0);
      if (done >= o.runs) break;
      if (Date.now() - t0 > o.timeoutMs) {
        timedOut = true;
        break;
      }
      if (Date.now() - lastLog >= 15_000) {
        lastLog = Date.now();
        const parked = workers.reduce((s, w) => s + (w.latest()?.parked ?? 0), 0);
        progress(
          `${o.name}: ${done}/${o.runs} completed, ${parked} parked for approval so far, ${((lastLog - t0) / 1000).toFixed(0)} s`,
        );
      }
    }
    const machineBusy = busyShare(ticks0, cpuTicks());
    const loadAfter = loadavg()[0] as number;
    const approverReport = await approver.stop();
    const workerReports = await Promise.all(workers.map((w) => w.stop()));
    const arrivals = await server.arrivals();
    const runs = await analyseRuns(store, runIds);
    return {
      options: o,
      submitMs,
      elapsedMs: (timedOut ? Date.now() : runs.lastCompletedMs) - t0,
      timedOut,
      machineBusy,
      loadAfter,
      workers: workerReports,
      approver: approverReport,
      server: serverCount(arrivals),
      runs,
    };
  } finally {
    for (const c of children) c.kill();
    await server.close();
    await store.close();
    await target.drop();
  }
}
