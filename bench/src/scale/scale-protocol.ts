import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { QuotaLimits } from '@kestrion/core';
import type { CallTiming } from './timed-calls';

/** The agent name of the scale graph (every run of the bench is one of its runs). */
export const SCALE_AGENT = 'scale';
/** The model the runs ask for: the quota bucket is `openai:<it>`. */
export const SCALE_MODEL = 'scale-model';
/** Who the approver process approves as. */
export const SCALE_APPROVER = 'scale-approver';

/** One JSON argument of `scale-worker-child`. */
export interface ScaleWorkerConfig {
  label: string;
  storeUrl: string;
  /** The counting server's base URL (ends in /v1). */
  serverUrl: string;
  /** Runs driven at once in this process. */
  concurrency: number;
  /** Under `withQuota` on the store's QuotaStore with these limits of SCALE_MODEL; absent: no quota. */
  limits?: QuotaLimits;
  /** Subscribe to PostgreSQL LISTEN/NOTIFY (`postgresWakeups(storeUrl)`). */
  wakeups: boolean;
  /** The provider's time limit per attempt (default the provider's). */
  modelTimeoutMs?: number;
  /** Print a `progress` line this often. */
  progressMs: number;
  /** The grace `stop` gives the runs in flight (default 10,000 ms). */
  stopGraceMs?: number;
}

/** What a worker prints every `progressMs` (`progress <json>`). */
export interface ScaleWorkerProgress {
  label: string;
  completed: number;
  parked: number;
  claims: number;
  active: number;
  rssBytes: number;
}

/** A histogram as prom-client holds it: cumulative counts per upper bound (seconds). */
export interface HistogramSnapshot {
  buckets: Array<{ le: number; count: number }>;
  count: number;
  sum: number;
}

/** What a worker prints once stopped (`report <json>`). */
export interface ScaleWorkerReport {
  label: string;
  pid: number;
  /** The largest `process.memoryUsage().rss` sampled (every 100 ms from start to stop). */
  peakRssBytes: number;
  claims: number;
  claimErrors: number;
  /** Drives finished, by the outcome the worker's metrics give them. */
  driven: Record<string, number>;
  quotaWaits: number;
  /** `kestrion_worker_claim_latency_seconds` by kind (`new`, `resumed`). */
  claimLatency: Record<string, HistogramSnapshot>;
  /** The most runs this worker drove at once (sampled with the RSS). */
  peakActive: number;
  /** Event-loop delay while running: p99 and max, ms. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** CPU time of the process from start to stop, ms. */
  cpuMs: number;
  /** Wall time from `go` to stop, ms. */
  wallMs: number;
  errors: number;
  /** The first few errors, as text. */
  firstErrors: string[];
  /** The store's, the quota store's and the model's calls, timed in this process. */
  timings: CallTiming[];
}

/** One JSON argument of `scale-approver-child`. */
export interface ScaleApproverConfig {
  storeUrl: string;
  /**
   * `drain`: approve every pending approval it finds, `concurrency` at a time, polling every
   * `pollMs`, until stdin says `stop`. `paced`: wait for `expected` runs to park, then approve
   * them one at a time, each once the one before has completed and `gapMs` have passed.
   */
  mode: 'drain' | 'paced';
  pollMs: number;
  concurrency: number;
  expected?: number;
  gapMs?: number;
}

/** One approval as the approver made it (its own clock, epoch ms). */
export interface ScaleApproval {
  runId: string;
  /** Just before `approve` was called, and when it resolved (the approval had committed). */
  sentMs: number;
  doneMs: number;
}

/** What the approver prints at the end (`report <json>`). */
export interface ScaleApproverReport {
  approved: number;
  errors: number;
  firstErrors: string[];
  /** Each approval's times (paced mode only: in drain mode the event log has them). */
  approvals: ScaleApproval[];
  peakRssBytes: number;
}

/** The compiled child script `name` (children run from `dist/`). */
export function scaleScript(name: 'scale-worker-child' | 'scale-approver-child'): string {
  const path = resolve(__dirname, '..', '..', 'dist', 'scale', `${name}.js`);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first`);
  return path;
}
