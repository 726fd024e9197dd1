import type { QuotaLimits } from '@kestrion/core';
import type { ActiveOptions } from './scale-active';
import type { TrialOptions } from './scale-trial';
import type { WakeupOptions } from './scale-wakeup';

/** The quota of the quota-bound configurations (see the results file for why these values). */
export const BOUND_QUOTA: Required<Pick<QuotaLimits, 'requestsPerMinute' | 'tokensPerMinute'>> = {
  requestsPerMinute: 1_200,
  tokensPerMinute: 120_000,
};
/** A quota that never binds: every call still reserves and settles in the shared store. */
export const OPEN_QUOTA: QuotaLimits = { requestsPerMinute: 10_000_000, tokensPerMinute: 1_000_000_000 };
/** The counting server's latency for the configurations. */
export const MODEL_LATENCY_MS: [number, number] = [50, 200];
/** Runs each worker process drives at once. */
export const SLOTS_PER_WORKER = 64;

export type Phase = 'quota' | 'scaling' | 'active' | 'wakeup';
export const PHASES: Phase[] = ['quota', 'scaling', 'active', 'wakeup'];

export interface ScalePlan {
  /** Runs of each configuration (quota-bound and scaling). */
  configRuns: number;
  quota: TrialOptions[];
  scaling: TrialOptions[];
  active: ActiveOptions;
  wakeup: WakeupOptions;
  phases: Phase[];
}

/**
 * What `npm run bench -- scale` runs. `KESTRION_SCALE_RUNS` sets every size (the runs of each
 * configuration and of the active test; the approval-latency test takes at most 200);
 * `KESTRION_SCALE_ONLY=quota,scaling,active,wakeup` picks phases; `KESTRION_SCALE_RENDER=<file>`
 * writes the report again from the figures a run saved (see scale-bench.ts), without running. Default: 1,000 runs per
 * configuration and 10,000 for the active test, which fits the ~25 minutes this bench may take
 * on the 2-core machine it was written on (the results file gives the measured rates).
 */
export function scalePlan(env: NodeJS.ProcessEnv = process.env): ScalePlan {
  const n = Number(env.KESTRION_SCALE_RUNS ?? '');
  const sized = Number.isSafeInteger(n) && n > 0 ? n : undefined;
  const configRuns = sized ?? 1_000;
  const only = (env.KESTRION_SCALE_ONLY ?? '')
    .split(',')
    .filter((p): p is Phase => PHASES.includes(p as Phase));
  const trial = (
    name: string,
    store: TrialOptions['store'],
    workers: number,
    limits: QuotaLimits | undefined,
  ): TrialOptions => ({
    name,
    store,
    workers,
    runs: configRuns,
    concurrency: SLOTS_PER_WORKER,
    ...(limits ? { limits } : {}),
    latencyMs: MODEL_LATENCY_MS,
    completionTokens: 16,
    timeoutMs: 30 * 60_000,
  });
  return {
    configRuns,
    quota: [
      trial('PostgreSQL, 1 worker', 'postgres', 1, BOUND_QUOTA),
      trial('PostgreSQL, 4 workers', 'postgres', 4, BOUND_QUOTA),
      trial('SQLite, 1 worker', 'sqlite', 1, BOUND_QUOTA),
      trial('SQLite, 4 workers', 'sqlite', 4, BOUND_QUOTA),
    ],
    scaling: [
      trial('PostgreSQL, 1 worker', 'postgres', 1, OPEN_QUOTA),
      trial('PostgreSQL, 4 workers', 'postgres', 4, OPEN_QUOTA),
      trial('SQLite, 1 worker', 'sqlite', 1, OPEN_QUOTA),
      trial('SQLite, 4 workers', 'sqlite', 4, OPEN_QUOTA),
      trial('PostgreSQL, no quota, 1 worker', 'postgres', 1, undefined),
      trial('PostgreSQL, no quota, 4 workers', 'postgres', 4, undefined),
    ],
    active: { runs: sized ?? 10_000, latencyMs: [240_000, 270_000], holdMs: 5_000, timeoutMs: 10 * 60_000 },
    wakeup: {
      runs: Math.min(200, sized ?? 200),
      gapMs: 150,
      latencyMs: MODEL_LATENCY_MS,
      timeoutMs: 10 * 60_000,
    },
    phases: only.length > 0 ? only : PHASES,
  };
}
