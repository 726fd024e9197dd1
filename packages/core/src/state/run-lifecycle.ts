import type { StoredEvent } from '../events/envelope';
import type { EventPayloads, WaitingReason } from '../events/event-types';
import { isTerminal, type RunStatus } from './run-state';

/**
 * A run's place in its lifecycle. The fold (`RunState.status`, `waitingReason`) and the runs
 * projection (`RunRecord.status`, `waitingReason`) both move it with `lifecycleTransition`
 * alone, so they cannot disagree on when a run starts, parks, unparks or ends.
 */
export interface Lifecycle {
  readonly status: RunStatus;
  readonly waitingReason: WaitingReason | null;
}

/**
 * What a transition needs to know about the run's calls, after the event's own effect on them.
 * The fold answers from its calls; the projection from its row. Asked only by the events that
 * need it (a decision, an expiry, a fork), so a fold does not count calls on every event.
 */
export interface CallFacts<T> {
  /** Calls still awaiting approval. */
  awaitingApprovals(run: T): number;
  /** Some call still waits on an unknown outcome or on another run (a suspension). */
  blockedOnCall(run: T): boolean;
}

const lifecycle = (status: RunStatus, waitingReason: WaitingReason | null = null): Lifecycle =>
  Object.freeze({ status, waitingReason });

/** One frozen value per place: a transition allocates nothing. */
const PENDING = lifecycle('pending');
const RUNNING = lifecycle('running');
const WAITING: Readonly<Record<WaitingReason, Lifecycle>> = {
  approval: lifecycle('waiting_on_human', 'approval'),
  outcome_unknown: lifecycle('waiting_on_human', 'outcome_unknown'),
  input: lifecycle('waiting_on_human', 'input'),
};
const COMPLETED = lifecycle('completed');
const FAILED = lifecycle('failed');
const CANCELLED = lifecycle('cancelled');
const EXPIRED = lifecycle('expired');

/**
 * The run's lifecycle after `e`, or undefined when `e` does not move it. Pure.
 *
 * - An ended run (completed, failed, cancelled, expired) never moves again.
 * - `run.started` makes it `pending`; progress (`node.entered`, `llm.requested`,
 *   `tool.requested`, `tool.started`) makes a pending or parked run `running`.
 * - `run.waiting` parks it (`waiting_on_human` with the event's reason).
 * - A parked run goes back to `pending` when what it waits on is decided: `run.input` for
 *   `input`; the last outstanding approval completed, rejected or expired (outcome `reject` or
 *   `fail`) for `approval`; a supplied result, a failure or a retry for `outcome_unknown`; a
 *   fork that revokes the grants it waited behind (not when it waits for input, an approval,
 *   an unknown outcome or another run).
 * - `run.completed`, `run.failed`, `run.cancelled` and `approval.expired` with outcome
 *   `expire` end it.
 */
export function lifecycleTransition<T>(
  status: RunStatus,
  waitingReason: WaitingReason | null,
  e: StoredEvent,
  facts: CallFacts<T>,
  run: T,
): Lifecycle | undefined {
  if (isTerminal(status)) return undefined;
  const parked = status === 'waiting_on_human';
  switch (e.type) {
    case 'node.entered':
    case 'llm.requested':
    case 'tool.requested':
    case 'tool.started':
      return status === 'pending' || parked ? RUNNING : undefined;
    case 'run.started':
      return PENDING;
    case 'run.input':
      return parked && waitingReason === 'input' ? PENDING : undefined;
    case 'approval.granted':
      if (!(e.data as EventPayloads['approval.granted']).complete) return undefined;
      return unparkApproval(parked, waitingReason, facts, run);
    case 'approval.rejected':
      return unparkApproval(parked, waitingReason, facts, run);
    case 'approval.expired':
      if ((e.data as EventPayloads['approval.expired']).outcome === 'expire') return EXPIRED;
      return unparkApproval(parked, waitingReason, facts, run);
    case 'tool.completed':
    case 'tool.failed':
    case 'tool.retry_approved':
      return parked && waitingReason === 'outcome_unknown' ? PENDING : undefined;
    case 'run.waiting':
      return WAITING[(e.data as EventPayloads['run.waiting']).reason];
    case 'run.throttled':
      // Not parked on a person: pending, and due again at its time (RunRecord.nextDueAtMs).
      return status === 'running' ? PENDING : undefined;
    case 'run.completed':
      return COMPLETED;
    case 'run.failed':
      return FAILED;
    case 'run.cancelled':
      return CANCELLED;
    case 'run.forked': {
      const revoked = (e.data as EventPayloads['run.forked']).revokedApprovals;
      // Parked on calls that are no longer awaited: the fork runs again, and its node asks anew.
      return revoked !== undefined &&
        revoked.length > 0 &&
        parked &&
        waitingReason !== 'input' &&
        facts.awaitingApprovals(run) === 0 &&
        !facts.blockedOnCall(run)
        ? PENDING
        : undefined;
    }
    default:
      return undefined;
  }
}

function unparkApproval<T>(
  parked: boolean,
  waitingReason: WaitingReason | null,
  facts: CallFacts<T>,
  run: T,
): Lifecycle | undefined {
  return parked && waitingReason === 'approval' && facts.awaitingApprovals(run) === 0 ? PENDING : undefined;
}

/**
 * True when a driver has work on the run now, without waiting for time: it is pending or
 * running, or a cancel was requested while it is parked (the driver appends `run.cancelled`).
 * Never for an ended run.
 */
export function isRunnable(status: RunStatus, cancelRequested: boolean): boolean {
  if (status === 'pending' || status === 'running') return true;
  return status === 'waiting_on_human' && cancelRequested;
}
