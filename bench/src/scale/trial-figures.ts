import { histogramQuantile, mergeHistograms } from './worker-metric-values';
import { quantile, sum } from './scale-stats';
import type { TrialResult } from './scale-trial';
import type { CallTiming } from './timed-calls';

/** The figures of one configuration the report prints, derived from its TrialResult. */
export interface TrialFigures {
  elapsedMs: number;
  /** Steady-rate minimum: max(requests / rpm, tokens / tpm), in ms; NaN without a quota. */
  minimumMs: number;
  /**
   * The earliest the window rule allows with bursts: a window takes its whole quota at once and
   * frees it 61 s after it settles, so the last of ⌈n ÷ limit⌉ batches starts at least
   * (⌈n ÷ limit⌉ − 1) × 61 s after the first (requests or tokens, whichever is later).
   */
  burstMinimumMs: number;
  requests: number;
  tokens: number;
  peakRequests: number;
  peakTokens: number;
  /** Server-counted requests per minute over the completion time. */
  meanRpm: number;
  runsPerSecond: number;
  claims: number;
  claimsPerSecond: number;
  approvalP50Ms: number;
  approvalP99Ms: number;
  /** The worker's `kestrion_worker_claim_latency_seconds{kind="resumed"}`, bucket bounds (ms). */
  histogramP50Ms: number;
  histogramP99Ms: number;
  peakRssBytes: number;
  /** Mean CPU of a worker process as a share of one core. */
  cpuShare: number;
  loopDelayP99Ms: number;
  driveErrors: number;
  /** Every worker's call timings, merged (counts and totals summed; percentiles: the worst worker's). */
  timings: CallTiming[];
}

function mergeTimings(lists: CallTiming[][]): CallTiming[] {
  const byOp = new Map<string, CallTiming>();
  for (const t of lists.flat()) {
    const m = byOp.get(t.op);
    if (!m) byOp.set(t.op, { ...t });
    else
      byOp.set(t.op, {
        op: t.op,
        count: m.count + t.count,
        totalMs: m.totalMs + t.totalMs,
        p50Ms: Math.max(m.p50Ms, t.p50Ms),
        p99Ms: Math.max(m.p99Ms, t.p99Ms),
        maxMs: Math.max(m.maxMs, t.maxMs),
      });
  }
  return [...byOp.values()].sort((a, b) => b.totalMs - a.totalMs);
}

/** (⌈n ÷ limit⌉ − 1) windows of 61 s (the quota's window and margin); NaN without a limit. */
function batches(n: number, limit: number | undefined): number {
  return limit ? (Math.ceil(n / limit) - 1) * 61_000 : NaN;
}

export function trialFigures(r: TrialResult): TrialFigures {
  const limits = r.options.limits;
  const minutes = (n: number, perMinute: number | undefined) => (perMinute ? n / perMinute : NaN);
  const minimumMin = Math.max(
    minutes(r.server.requests, limits?.requestsPerMinute),
    minutes(r.server.tokens, limits?.tokensPerMinute),
  );
  const claims = sum(r.workers.map((w) => w.claims));
  const resumed = mergeHistograms(r.workers.map((w) => w.claimLatency.resumed));
  return {
    elapsedMs: r.elapsedMs,
    minimumMs: minimumMin * 60_000,
    burstMinimumMs: Math.max(
      batches(r.server.requests, limits?.requestsPerMinute),
      batches(r.server.tokens, limits?.tokensPerMinute),
    ),
    requests: r.server.requests,
    tokens: r.server.tokens,
    peakRequests: r.server.peakWindow.requests,
    peakTokens: r.server.peakWindow.tokens,
    meanRpm: (r.server.requests / r.elapsedMs) * 60_000,
    runsPerSecond: r.runs.completed / (r.elapsedMs / 1000),
    claims,
    claimsPerSecond: claims / (r.elapsedMs / 1000),
    approvalP50Ms: quantile(r.runs.approvalToResumedMs, 0.5),
    approvalP99Ms: quantile(r.runs.approvalToResumedMs, 0.99),
    histogramP50Ms: (histogramQuantile(resumed, 0.5) ?? NaN) * 1000,
    histogramP99Ms: (histogramQuantile(resumed, 0.99) ?? NaN) * 1000,
    peakRssBytes: Math.max(...r.workers.map((w) => w.peakRssBytes)),
    cpuShare: sum(r.workers.map((w) => w.cpuMs / w.wallMs)) / r.workers.length,
    loopDelayP99Ms: Math.max(...r.workers.map((w) => w.loopDelayP99Ms)),
    driveErrors: sum(r.workers.map((w) => w.errors)),
    timings: mergeTimings(r.workers.map((w) => w.timings)),
  };
}
