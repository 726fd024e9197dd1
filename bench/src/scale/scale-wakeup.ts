import type { StoredEvent } from '@kestrion/core';
import { openStore } from '@kestrion/store';
import { spawnCountingServer } from '@kestrion/testing';
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
import { createScaleTarget } from './scale-target';

export interface WakeupOptions {
  runs: number;
  /** Idle time before each approval, once the run approved before it has completed. */
  gapMs: number;
  latencyMs: [number, number];
  timeoutMs: number;
}

export interface WakeupResult {
  options: WakeupOptions;
  /** Per approval: `approval.granted` `at` → the resumed run's next event `at` (the worker's first). */
  grantedToResumedMs: number[];
  /** Per approval: `approve()` resolved in the approver (committed) → that same next event. */
  committedToResumedMs: number[];
  worker: ScaleWorkerReport;
  approver: ScaleApproverReport;
}

/**
 * Approval-to-resumed on PostgreSQL with an idle worker (`wakeups: postgresWakeups(url)`,
 * default idle polling 25 ms doubling to 1 s): `runs` runs are driven to their approval and
 * park; then the approver process approves them one at a time, each once the previous run has
 * completed and `gapMs` more have passed, so the worker is idle (its poll backed off) whenever
 * an approval commits.
 */
export async function runWakeup(o: WakeupOptions): Promise<WakeupResult> {
  const target = await createScaleTarget('postgres');
  const server = await spawnCountingServer({ latencyMs: o.latencyMs, completionTokens: 16 });
  const store = await openStore(target.url);
  const children: Array<LineChild<unknown, unknown>> = [];
  try {
    const runIds = await submitRuns(store, o.runs);
    const workerCfg: ScaleWorkerConfig = {
      label: 'w0',
      storeUrl: target.url,
      serverUrl: server.url,
      concurrency: 16,
      wakeups: true,
      progressMs: 1_000,
    };
    const worker = new LineChild<ScaleWorkerProgress, ScaleWorkerReport>(
      'worker w0',
      scaleScript('scale-worker-child'),
      workerCfg,
    );
    const approverCfg: ScaleApproverConfig = {
      storeUrl: target.url,
      mode: 'paced',
      pollMs: 100,
      concurrency: 1,
      expected: o.runs,
      gapMs: o.gapMs,
    };
    const approver = new LineChild<never, ScaleApproverReport>(
      'approver',
      scaleScript('scale-approver-child'),
      approverCfg,
    );
    children.push(worker, approver);
    await Promise.all(children.map((c) => c.waitReady()));
    worker.send('go');
    const approverReport = await approver.stop(o.timeoutMs, false);
    const workerReport = await worker.stop();
    const committed = new Map(approverReport.approvals.map((a) => [a.runId, a.doneMs]));
    const grantedToResumedMs: number[] = [];
    const committedToResumedMs: number[] = [];
    for (const runId of runIds) {
      const events: StoredEvent[] = [];
      for await (const e of store.readEvents(runId)) events.push(e);
      const i = events.findIndex((e) => e.type === 'approval.granted');
      const next = events[i + 1];
      if (i < 0 || !next) continue;
      const resumedAt = Date.parse(next.at);
      grantedToResumedMs.push(resumedAt - Date.parse((events[i] as StoredEvent).at));
      const done = committed.get(runId);
      if (done !== undefined) committedToResumedMs.push(resumedAt - done);
    }
    return {
      options: o,
      grantedToResumedMs,
      committedToResumedMs,
      worker: workerReport,
      approver: approverReport,
    };
  } finally {
    for (const c of children) c.kill();
    await server.close();
    await store.close();
    await target.drop();
  }
}
