import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { QuotaDenialReason, QuotaLimits } from '@kestrion/core';

/** What `quota-worker-child` does; one JSON argument. */
export interface QuotaWorkerConfig {
  storeUrl: string;
  /** The counting server's base URL (ends in /v1). */
  serverUrl: string;
  model: string;
  limits: QuotaLimits;
  /** Concurrent callers in this process. */
  callers: number;
  /** `until-denied`: each caller stops at its first denial. `until-time`: callers wait out denials until `untilMs`. */
  mode: 'until-denied' | 'until-time';
  /** With `until-time`: when callers stop (in the worker's clock). */
  untilMs?: number;
  /** The clock: `scaledClock(originMs, speed)`; the wall clock when absent. */
  scale?: { originMs: number; speed: number };
  maxTokens: number;
  prompt: string;
  /** The provider's retries (default 2). */
  maxRetries?: number;
}

/** One call as the worker saw it, in the worker's clock. */
export interface QuotaWorkerCall {
  startMs: number;
  endMs: number;
  tokens: number;
}

export interface QuotaWorkerDenial {
  atMs: number;
  reason: QuotaDenialReason;
  retryAtMs: number;
}

/** The one stdout line of a worker. */
export interface QuotaWorkerReport {
  pid: number;
  calls: QuotaWorkerCall[];
  denials: QuotaWorkerDenial[];
  /** Errors other than QuotaExhaustedError (a failing test shows them). */
  errors: string[];
}

/** The compiled child script (tests run from `src/` under ts-jest, children from `dist/`). */
export function quotaWorkerScript(): string {
  const path = resolve(__dirname, '..', '..', 'dist', 'quota', 'quota-worker-child.js');
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` before the quota tests`);
  return path;
}
