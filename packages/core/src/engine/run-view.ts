import type { ErrorInfo, WaitingReason } from '../events/event-types';
import {
  isTerminal,
  type RunState,
  type RunStatus,
  type RunTotals,
  type ToolCallState,
} from '../state/run-state';
import type { Json, JsonObject } from '../util/json';

/** A call waiting for a person's decision. */
export interface PendingApproval {
  callId: string;
  tool: string;
  args: Json;
  /** Pass it back to `approve` to be sure the arguments you saw are the ones that run. */
  argsHash: string;
  /** The chain of roles; empty when any approver will do. */
  requiredRoles: string[];
  /** The role the next approval must carry, if any. */
  nextRole?: string;
  approvedBy: string[];
  deadline?: string;
  /**
   * Set when the call is asked about again because its tool changed after it was requested
   * (a pinned MCP tool whose schema or annotations changed on its server): what changed.
   */
  reason?: string;
}

/**
 * A call that started before a crash (or a lost lease) and whose outcome nobody knows. The
 * attempt may still complete while the process that started it lives: check the receiving
 * system by `idempotencyKey` before deciding to retry, supply a result or fail the call.
 */
export interface UnknownOutcome {
  callId: string;
  tool: string;
  args: Json;
  attempts: number;
  /** The key every attempt of this call was handed: look it up in the system the tool changes. */
  idempotencyKey?: string;
  /** The lease owner (host:pid:id) that ran the latest attempt, when recorded. */
  startedBy?: string;
  /** Set when the tool itself reported it could not tell (a connection lost mid-call), not a crash. */
  reason?: string;
}

/** What callers see of a run. */
export interface RunView {
  runId: string;
  agent: string;
  status: RunStatus;
  waitingReason?: WaitingReason;
  currentNode?: string;
  /** The graph state, as folded from the log's `state.patched` deltas. */
  state: JsonObject;
  /** Calls waiting for a decision; empty once the run has ended (nothing can be decided then). */
  pending: PendingApproval[];
  unknownOutcomes: UnknownOutcome[];
  /**
   * Runs (sub-agents) this run waits on: decide their pending calls, then resume this run.
   * Empty once the run has ended.
   */
  waitingOn: string[];
  /**
   * Set while the run waits for room in a provider quota (`run.throttled`): status is
   * `pending`, and a worker claims it again at `untilMs` (epoch ms).
   */
  throttled?: { bucket: string; untilMs: number };
  output?: Json;
  error?: ErrorInfo;
  /** Events in the run's log (its head seq). */
  eventCount: number;
  totals: RunTotals;
  createdAt: string;
  updatedAt: string;
}

function pendingOf(c: ToolCallState): PendingApproval {
  const nextRole = c.requiredRoles[c.grants.length];
  return {
    callId: c.callId,
    tool: c.tool,
    args: c.args,
    argsHash: c.argsHash,
    requiredRoles: c.requiredRoles,
    approvedBy: c.grants.map((g) => g.by),
    ...(nextRole !== undefined ? { nextRole } : {}),
    ...(c.deadline !== undefined ? { deadline: c.deadline } : {}),
    ...(c.approvalReason !== undefined ? { reason: c.approvalReason } : {}),
  };
}

export function toRunView(s: RunState): RunView {
  const calls = s.callOrder.map((id) => s.calls[id] as ToolCallState);
  // An ended run waits on nobody: a call left awaiting approval can never be decided now (every
  // decision is refused), so it is not offered, as the runs row keeps no pending approval.
  const ended = isTerminal(s.status);
  return {
    runId: s.runId,
    agent: s.agent,
    status: s.status,
    ...(s.waitingReason ? { waitingReason: s.waitingReason } : {}),
    ...(s.currentNode ? { currentNode: s.currentNode } : {}),
    state: s.data,
    pending: ended ? [] : calls.filter((c) => c.status === 'awaiting_approval').map(pendingOf),
    waitingOn: ended
      ? []
      : calls.flatMap((c) => (c.status === 'suspended' && c.waitingOn ? [c.waitingOn] : [])),
    unknownOutcomes: calls
      .filter((c) => c.status === 'outcome_unknown' && !c.retryApproved)
      .map((c) => ({
        callId: c.callId,
        tool: c.tool,
        args: c.args,
        attempts: c.attempts,
        ...(c.idempotencyKey !== undefined ? { idempotencyKey: c.idempotencyKey } : {}),
        ...(c.startedBy !== undefined ? { startedBy: c.startedBy } : {}),
        ...(c.outcomeReason !== undefined ? { reason: c.outcomeReason } : {}),
      })),
    ...(s.throttled !== undefined ? { throttled: s.throttled } : {}),
    ...(s.output !== undefined ? { output: s.output } : {}),
    ...(s.error ? { error: s.error } : {}),
    eventCount: s.seq,
    totals: s.totals,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}
