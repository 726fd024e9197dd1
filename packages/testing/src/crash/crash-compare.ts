import { isDeepStrictEqual } from 'node:util';
import type { RunState, StoredEvent } from '@kestrion/core';
import type { LedgerEntry } from './effect-ledger';
import { NON_IDEMPOTENT_TOOLS } from './crash-scenario';

/** Events only recovery writes: a person's view of an interrupted call, never the run's work. */
const RECOVERY = /^(tool\.outcome_unknown|tool\.retry_approved|run\.waiting:outcome_unknown)(:|$)/;
/** A re-issued attempt directly after the one a crash interrupted. */
const REATTEMPT = /^(tool\.started|llm\.requested):/;

/**
 * A run's event types, each qualified by what it is about (tool name, step key, node, wait
 * reason) so that runs with different random ids compare.
 */
export function eventLabels(log: StoredEvent[]): string[] {
  const toolOf = new Map<string, string>();
  return log.map((e) => {
    const d = e.data as Record<string, unknown>;
    if (e.type === 'tool.requested') toolOf.set(String(d.callId), String(d.tool));
    if (typeof d.callId === 'string') return `${e.type}:${toolOf.get(d.callId) ?? '?'}`;
    if (typeof d.stepKey === 'string') return `${e.type}:${d.stepKey}`;
    if (e.type === 'node.entered') return `${e.type}:${String(d.node)}`;
    if (e.type === 'run.waiting') return `${e.type}:${String(d.reason)}`;
    return e.type;
  });
}

/**
 * What "the same run" means after crashes: the labels with recovery's own events removed
 * (`tool.outcome_unknown`, `run.waiting` for an unknown outcome, `tool.retry_approved`) and
 * a re-issued `tool.started`/`llm.requested` right after the interrupted one collapsed.
 * Everything else, in order, must match the uncrashed run.
 */
export function normalizedLabels(log: StoredEvent[]): string[] {
  const out: string[] = [];
  for (const label of eventLabels(log)) {
    if (RECOVERY.test(label)) continue;
    if (REATTEMPT.test(label) && out[out.length - 1] === label) continue;
    out.push(label);
  }
  return out;
}

export interface ComparableRun {
  state: RunState;
  log: StoredEvent[];
  effects: LedgerEntry[];
}

/**
 * Every way a recovered run differs from the uncrashed one (empty: equal). Equal means: same
 * status, output and graph data; the same normalized event sequence; seqs 1..n with no gap;
 * every idempotency key applied at most once; every non-idempotent tool applied exactly once
 * per completed run; no model call without its own `llm.requested` in the log.
 * `nonIdempotentTools` defaults to the crash scenario's (`notify`, `apply`).
 */
export function crashProblems(
  baseline: ComparableRun,
  run: ComparableRun,
  nonIdempotentTools: readonly string[] = NON_IDEMPOTENT_TOOLS,
): string[] {
  const problems: string[] = [];
  const { state } = run;
  if (state.status !== baseline.state.status)
    problems.push(`status ${state.status} != ${baseline.state.status}`);
  if (!isDeepStrictEqual(state.output, baseline.state.output))
    problems.push(`output ${JSON.stringify(state.output)} != ${JSON.stringify(baseline.state.output)}`);
  if (!isDeepStrictEqual(state.data, baseline.state.data))
    problems.push(`data ${JSON.stringify(state.data)} != ${JSON.stringify(baseline.state.data)}`);
  const got = normalizedLabels(run.log);
  const want = normalizedLabels(baseline.log);
  const at = got.findIndex((l, i) => l !== want[i]);
  if (at >= 0 || got.length !== want.length)
    problems.push(
      `events differ at #${at >= 0 ? at + 1 : Math.min(got.length, want.length) + 1}: ${got.join(' ')}`,
    );
  run.log.forEach((e, i) => {
    if (e.seq !== i + 1) problems.push(`seq gap: event #${i + 1} has seq ${e.seq}`);
  });
  problems.push(...effectProblems(run, state.status === 'completed', nonIdempotentTools));
  return problems;
}

/** At most one applied effect per idempotency key; non-idempotent tools exactly once when complete. */
export function effectProblems(
  run: ComparableRun,
  complete: boolean,
  nonIdempotentTools: readonly string[] = NON_IDEMPOTENT_TOOLS,
): string[] {
  const problems: string[] = [];
  const perKey = new Map<string, number>();
  for (const e of run.effects)
    if (e.kind === 'tool' && e.applied) perKey.set(e.key, (perKey.get(e.key) ?? 0) + 1);
  for (const [key, n] of perKey) if (n > 1) problems.push(`effect ${key} applied ${n} times`);
  for (const tool of nonIdempotentTools) {
    const n = run.effects.filter((e) => e.kind === 'tool' && e.name === tool && e.applied).length;
    if (n > 1 || (complete && n !== 1)) problems.push(`non-idempotent ${tool} applied ${n} times`);
  }
  const requested = eventLabels(run.log).filter((l) => l.startsWith('llm.requested:')).length;
  const calls = run.effects.filter((e) => e.kind === 'model').length;
  if (calls > requested) problems.push(`${calls} model calls for ${requested} llm.requested events`);
  return problems;
}
