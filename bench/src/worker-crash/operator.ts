import type { Engine, RunRecord, RunStatus, Store } from '@kestrion/core';
import { loadRunState } from '@kestrion/core/store-kit';
import { runLedger } from './queue-graph';
import { QUEUE_AGENT } from './worker-crash-protocol';

/** What the operator decided about calls whose outcome a crash left unknown. */
export interface OperatorTally {
  /** The ledger showed the effect done: its result was supplied (the tool did not run again). */
  supplied: number;
  /** The ledger showed no effect: the call was retried once with the same key. */
  retried: number;
  /** Runs that parked for a person. */
  parkedRuns: string[];
}

export function newTally(): OperatorTally {
  return { supplied: 0, retried: 0, parkedRuns: [] };
}

/** Every run of the queue's agent in these statuses (all pages). */
export async function queueRuns(store: Store, status: RunStatus[]): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listRuns({
      agent: QUEUE_AGENT,
      status,
      limit: 500,
      ...(cursor ? { cursor } : {}),
    });
    runs.push(...page.runs);
    cursor = page.nextCursor;
  } while (cursor);
  return runs;
}

/**
 * A person settles the runs that parked `outcome_unknown` (a process died between the start of
 * `charge` and the record of its result), as docs/approvals.md says to: look in the system the
 * tool changes (the ledger) for its idempotency key; if the effect is there, supply its result,
 * otherwise allow one retry. Through the API (`supplyToolResult`, `retryTool`), from this process.
 */
export async function settleParkedRuns(engine: Engine, dir: string, tally: OperatorTally): Promise<void> {
  for (const { runId } of await queueRuns(engine.store, ['waiting_on_human'])) {
    const state = await loadRunState(engine.store, runId);
    if (!state || state.status !== 'waiting_on_human') continue;
    if (!tally.parkedRuns.includes(runId)) tally.parkedRuns.push(runId);
    for (const call of Object.values(state.calls)) {
      if (call.status !== 'outcome_unknown' || call.retryApproved) continue;
      const done = call.idempotencyKey ? runLedger(dir, runId).applied(call.idempotencyKey) : undefined;
      if (done) await engine.supplyToolResult(runId, call.callId, done.result ?? null, 'operator');
      else await engine.retryTool(runId, call.callId, 'operator');
      tally[done ? 'supplied' : 'retried'] += 1;
    }
  }
}
