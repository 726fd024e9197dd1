import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { isTerminal, type RunState, type Store, type StoredEvent } from '@kestrion/core';
import { loadRunState } from '@kestrion/core/store-kit';
import { EffectLedger, type LedgerEntry } from './effect-ledger';
import { type ComparableRun, crashProblems } from './crash-compare';
import type { CrashChildConfig, CrashChildReport } from './crash-protocol';
import { runCrashChild } from './crash-process';
import type { CrashScenarioName } from './crash-scenario';

export interface CrashTarget {
  /** The parent's own handle on the store, for reading the outcome. */
  store: Store;
  /** What the children open. */
  storeUrl: string;
  /** Where ledgers go (one file per run). */
  dir: string;
  scenario?: CrashScenarioName;
  /** Default 400 ms: a killed owner's lease is waited out by the next process. */
  leaseTtlMs?: number;
}

export interface CrashPoint {
  /** SIGKILL right after the append that made this seq durable. */
  killAfterEvent?: number;
  /** SIGKILL inside this tool, after its effect, before its result is recorded. */
  killInsideTool?: string;
}

export interface CrashOutcome extends ComparableRun {
  runId: string;
  /** Whether a child was SIGKILLed (a point past the run's end kills nothing). */
  killed: boolean;
  /** Processes spawned, killed one included. */
  processes: number;
  /** The statuses the run passed through between processes (e.g. outcome_unknown parks). */
  parks: string[];
  decisions: CrashChildReport['decisions'];
}

/** Reads a run's whole log and folded state from the store. */
export async function readRun(store: Store, runId: string): Promise<{ state: RunState; log: StoredEvent[] }> {
  const log: StoredEvent[] = [];
  for await (const e of store.readEvents(runId)) log.push(e);
  const state = await loadRunState(store, runId);
  if (!state) throw new Error(`run ${runId} has no events`);
  return { state, log };
}

/**
 * Runs the crash scenario once in child processes: `run` (and `approve`, where it parks)
 * with the crash point armed; once a child was killed, fresh `finish` processes (resume,
 * approve, and decide unknown outcomes as a person would, from the ledger) until it ends.
 */
export async function crashAt(target: CrashTarget, point: CrashPoint = {}): Promise<CrashOutcome> {
  const runId = `crash-${randomBytes(6).toString('hex')}`;
  const ledger = join(target.dir, `${runId}.jsonl`);
  const base: Omit<CrashChildConfig, 'mode'> = {
    storeUrl: target.storeUrl,
    scenario: target.scenario ?? 'ops',
    ledger,
    leaseTtlMs: target.leaseTtlMs ?? 400,
    runIds: [runId],
  };
  const armed = { ...point };
  const decisions = { approved: 0, retried: 0, supplied: 0 };
  const parks: string[] = [];
  let killed = false;
  let processes = 0;
  for (const mode of ['run', 'approve', 'finish', 'finish', 'finish'] as const) {
    if (mode === 'approve' && killed) continue;
    const out = await runCrashChild({ ...base, mode, newRunId: runId, ...(killed ? {} : armed) });
    processes += 1;
    killed ||= out.killed;
    for (const [k, n] of Object.entries(out.report?.decisions ?? {}))
      decisions[k as keyof typeof decisions] += n;
    const rec = await target.store.getRun(runId);
    if (rec?.status === 'waiting_on_human') parks.push(rec.waitingReason ?? '?');
    if (rec && isTerminal(rec.status)) break;
  }
  const { state, log } = await readRun(target.store, runId);
  return {
    runId,
    killed,
    processes,
    parks,
    decisions,
    state,
    log,
    effects: new EffectLedger(ledger).entries(),
  };
}

export interface CrashTrial {
  point: CrashPoint;
  outcome: CrashOutcome;
  problems: string[];
  durationMs: number;
}

export interface CrashMatrix {
  baseline: CrashOutcome;
  trials: CrashTrial[];
}

/**
 * The uncrashed run, then one crashed run per point (default: after every event of the
 * baseline), each compared with the baseline (`crashProblems`).
 */
export async function runCrashMatrix(
  target: CrashTarget,
  opts: { points?: CrashPoint[]; stride?: number; onTrial?: (t: CrashTrial) => void } = {},
): Promise<CrashMatrix> {
  const baseline = await crashAt(target);
  const stride = opts.stride ?? 1;
  const points =
    opts.points ??
    baseline.log.filter((e) => (e.seq - 1) % stride === 0).map((e) => ({ killAfterEvent: e.seq }));
  const trials: CrashTrial[] = [];
  for (const point of points) {
    const t0 = Date.now();
    const outcome = await crashAt(target, point);
    const trial = { point, outcome, problems: crashProblems(baseline, outcome), durationMs: Date.now() - t0 };
    opts.onTrial?.(trial);
    trials.push(trial);
  }
  return { baseline, trials };
}

/** Effects of one ledger by tool name, applied ones only. */
export function appliedCounts(effects: LedgerEntry[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of effects) if (e.kind === 'tool' && e.applied) counts[e.name] = (counts[e.name] ?? 0) + 1;
  return counts;
}
