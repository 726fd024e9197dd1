import { UsageError } from '../errors';
import type { StoredEvent } from '../events/envelope';
import type { EventPayloads } from '../events/event-types';
import { type CallFacts, isRunnable, lifecycleTransition } from '../state/run-lifecycle';
import { isTerminal } from '../state/run-state';
import type { RunMetadata } from './run-metadata';
import type { RunRecord } from './store';

/** Shared by every row without deadlines; never mutated (a change copies it first). */
const NO_DEADLINES: Record<string, number> = Object.freeze({}) as Record<string, number>;
/** Shared by every row started without metadata; never mutated (run.started replaces it). */
const NO_METADATA: RunMetadata = Object.freeze({}) as RunMetadata;

function newRecord(e: StoredEvent): RunRecord {
  return {
    runId: e.runId,
    status: 'pending',
    waitingReason: null,
    headSeq: 0,
    agent: '',
    parentRunId: null,
    pendingApprovals: 0,
    createdAt: e.at,
    updatedAt: e.at,
    leaseOwner: null,
    leaseEpoch: 0,
    leaseExpiresAtMs: null,
    approvalDeadlines: NO_DEADLINES,
    nextDueAtMs: null,
    waitingOnRun: null,
    runnable: true,
    priority: 0,
    concurrencyKey: null,
    metadata: NO_METADATA,
  };
}

/** The row's answers to the lifecycle's questions (see run-lifecycle.ts). */
const ROW_FACTS: CallFacts<RunRecord> = {
  awaitingApprovals: (r) => r.pendingApprovals,
  blockedOnCall: (r) => r.waitingOnRun !== null || r.waitingReason === 'outcome_unknown',
};

/**
 * At a fork: a call whose outcome was unknown may be one the fork revoked (it is asked again, so
 * the run no longer waits on it); `unknownRevoked` says so.
 */
interface ForkView {
  r: RunRecord;
  unknownRevoked: boolean;
}
const FORK_FACTS: CallFacts<ForkView> = {
  awaitingApprovals: (f) => f.r.pendingApprovals,
  blockedOnCall: (f) =>
    f.r.waitingOnRun !== null || (f.r.waitingReason === 'outcome_unknown' && !f.unknownRevoked),
};

interface Standing {
  awaiting: boolean;
  unknown: boolean;
  waitingOn: string | null;
}
const NOT_WAITING: Standing = { awaiting: false, unknown: false, waitingOn: null };
const AWAITING: Standing = { awaiting: true, unknown: false, waitingOn: null };
const UNKNOWN: Standing = { awaiting: false, unknown: true, waitingOn: null };

/** Where one revoked call of a fork stood, from the events before `run.forked` in the same append. */
function revokedCallStanding(events: readonly StoredEvent[], forkIndex: number, callId: string): Standing {
  for (let i = forkIndex - 1; i >= 0; i--) {
    const e = events[i] as StoredEvent;
    const d = e.data as { callId?: unknown };
    if (d === null || typeof d !== 'object' || d.callId !== callId) continue;
    switch (e.type) {
      case 'approval.requested':
        return AWAITING;
      case 'approval.granted':
        return (e.data as EventPayloads['approval.granted']).complete ? NOT_WAITING : AWAITING;
      case 'tool.suspended':
        return { ...NOT_WAITING, waitingOn: (e.data as EventPayloads['tool.suspended']).waitingOn };
      case 'tool.outcome_unknown':
        return UNKNOWN;
      case 'approval.rejected':
      case 'approval.expired':
      case 'tool.requested':
      case 'tool.started':
      case 'tool.completed':
      case 'tool.failed':
        return NOT_WAITING;
    }
  }
  return NOT_WAITING;
}

/**
 * The `runs` row after `events`, computed from the previous row and the new events alone
 * (no full fold), so a store can update it inside the append transaction. Status and waiting
 * reason move by `lifecycleTransition`, exactly as in the fold. Lease columns are carried over
 * untouched (they belong to the lease operations) except when the run ends: an ended run can
 * never be driven again, so the append that ends it also frees its lease (no release round
 * trip, and no lease left on a finished run if its driver dies right after). The append that
 * ends a run also clears what it waited on: no pending approvals, no deadlines, no run waited on.
 *
 * A fork's `revokedApprovals` are resolved from the copied prefix, which `Engine.fork` appends
 * with `run.forked` in one append (a call with a deadline is resolved from the row alone).
 * Pure; allocates the new row and, only when a deadline changes, a new `approvalDeadlines`.
 */
export function projectRunRecord(prev: RunRecord | undefined, events: readonly StoredEvent[]): RunRecord {
  const first = events[0];
  if (!first) throw new UsageError('projectRunRecord needs at least one event');
  const r: RunRecord = prev ? { ...prev } : newRecord(first);
  // `?? ` : a row read from a store that does not keep these columns yet starts empty.
  let deadlines = r.approvalDeadlines ?? NO_DEADLINES;
  let deadlinesChanged = false;
  const dropDeadline = (callId: string): void => {
    if (!Object.hasOwn(deadlines, callId)) return;
    if (!deadlinesChanged) deadlines = { ...deadlines };
    deadlinesChanged = true;
    delete deadlines[callId];
  };
  r.waitingOnRun = r.waitingOnRun ?? null;
  r.priority = r.priority ?? 0;
  r.concurrencyKey = r.concurrencyKey ?? null;
  r.metadata = r.metadata ?? NO_METADATA;
  // A parked row that is runnable can only be so because a cancel was requested.
  let cancelRequested = prev?.runnable === true && prev.status === 'waiting_on_human';
  // A pending row that is not runnable can only be so because it is throttled (run.throttled):
  // due at nextDueAtMs. Any later event ends the throttle, as in the fold.
  const wasThrottled = prev?.runnable === false && prev.status === 'pending';
  let throttledUntil: number | null = null;
  let fork: ForkView | undefined;
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as StoredEvent;
    switch (e.type) {
      case 'run.started': {
        const d = e.data as EventPayloads['run.started'];
        r.agent = d.agent;
        r.parentRunId = d.parentRunId ?? null;
        r.priority = d.priority ?? 0;
        r.concurrencyKey = d.concurrencyKey ?? null;
        r.createdAt = e.at;
        // Checked on append (InvalidRunMetadataError): string keys to string values.
        r.metadata = d.metadata ?? NO_METADATA;
        break;
      }
      case 'approval.requested': {
        const d = e.data as EventPayloads['approval.requested'];
        r.pendingApprovals += 1;
        const at = d.deadline === undefined ? NaN : Date.parse(d.deadline);
        if (!Number.isNaN(at)) {
          if (!deadlinesChanged) deadlines = { ...deadlines };
          deadlinesChanged = true;
          deadlines[d.callId] = at;
        }
        break;
      }
      case 'approval.granted': {
        const d = e.data as EventPayloads['approval.granted'];
        if (!d.complete) break;
        r.pendingApprovals = Math.max(0, r.pendingApprovals - 1);
        dropDeadline(d.callId);
        break;
      }
      case 'approval.rejected':
      case 'approval.expired':
        r.pendingApprovals = Math.max(0, r.pendingApprovals - 1);
        dropDeadline((e.data as EventPayloads['approval.rejected']).callId);
        break;
      case 'tool.suspended':
        r.waitingOnRun = (e.data as EventPayloads['tool.suspended']).waitingOn;
        break;
      case 'tool.started':
        // The suspended call is started again when its run is driven on (see docs/stores.md).
        r.waitingOnRun = null;
        break;
      case 'run.cancel_requested':
        cancelRequested = true;
        break;
      case 'run.throttled':
        throttledUntil = (e.data as EventPayloads['run.throttled']).untilMs;
        break;
      case 'run.forked': {
        fork = { r, unknownRevoked: false };
        for (const callId of (e.data as EventPayloads['run.forked']).revokedApprovals ?? []) {
          const standing = revokedCallStanding(events, i, callId);
          const awaiting = standing.awaiting || Object.hasOwn(deadlines, callId);
          if (awaiting) r.pendingApprovals = Math.max(0, r.pendingApprovals - 1);
          dropDeadline(callId);
          if (standing.waitingOn !== null && standing.waitingOn === r.waitingOnRun) r.waitingOnRun = null;
          if (standing.unknown) fork.unknownRevoked = true;
        }
        break;
      }
    }
    const next =
      e.type === 'run.forked' && fork
        ? lifecycleTransition(r.status, r.waitingReason, e, FORK_FACTS, fork)
        : lifecycleTransition(r.status, r.waitingReason, e, ROW_FACTS, r);
    if (next) {
      r.status = next.status;
      r.waitingReason = next.waitingReason;
    }
    if (e.type !== 'run.throttled') throttledUntil = null;
    r.headSeq = e.seq;
    r.updatedAt = e.at;
  }
  if (isTerminal(r.status)) {
    r.leaseOwner = null;
    r.leaseExpiresAtMs = null;
    r.pendingApprovals = 0;
    r.waitingOnRun = null;
    if (deadlines !== NO_DEADLINES) {
      deadlines = NO_DEADLINES;
      deadlinesChanged = true;
    }
  }
  r.approvalDeadlines = deadlines;
  if (throttledUntil !== null && r.status === 'pending') {
    // Throttled: no claim before its time (claims take runnable rows, or rows now due).
    r.nextDueAtMs = throttledUntil;
    r.runnable = false;
    return r;
  }
  if (deadlinesChanged || wasThrottled || r.nextDueAtMs === undefined) r.nextDueAtMs = earliest(deadlines);
  r.runnable = isRunnable(r.status, cancelRequested);
  return r;
}

function earliest(deadlines: Record<string, number>): number | null {
  let min: number | null = null;
  for (const callId in deadlines) {
    const at = deadlines[callId] as number;
    if (min === null || at < min) min = at;
  }
  return min;
}
