import type { StoredEvent } from '../events/envelope';
import type { EventPayloads } from '../events/event-types';
import { isTerminal } from '../state/run-state';
import type { RunRecord } from './store';

const PROGRESS = new Set(['node.entered', 'llm.requested', 'tool.requested', 'tool.started']);

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
  };
}

function unpark(r: RunRecord, reason: RunRecord['waitingReason']): void {
  if (
    r.status === 'waiting_on_human' &&
    r.waitingReason === reason &&
    (reason !== 'approval' || r.pendingApprovals === 0)
  ) {
    r.status = 'pending';
    r.waitingReason = null;
  }
}

/**
 * The `runs` row after `events`, computed from the previous row and the new events alone
 * (no full fold), so a store can update it inside the append transaction. Lease columns are
 * carried over untouched (they belong to the lease operations) except when the run ends: an
 * ended run can never be driven again, so the append that ends it also frees its lease (no
 * release round trip, and no lease left on a finished run if its driver dies right after).
 * Pure.
 */
export function projectRunRecord(prev: RunRecord | undefined, events: readonly StoredEvent[]): RunRecord {
  const first = events[0];
  if (!first) throw new TypeError('projectRunRecord needs at least one event');
  const r: RunRecord = prev ? { ...prev } : newRecord(first);
  for (const e of events) {
    if (PROGRESS.has(e.type) && (r.status === 'pending' || r.status === 'waiting_on_human')) {
      r.status = 'running';
      r.waitingReason = null;
    }
    switch (e.type) {
      case 'run.started': {
        const d = e.data as EventPayloads['run.started'];
        r.agent = d.agent;
        r.parentRunId = d.parentRunId ?? null;
        r.createdAt = e.at;
        break;
      }
      case 'approval.requested':
        r.pendingApprovals += 1;
        break;
      case 'approval.granted':
        if ((e.data as EventPayloads['approval.granted']).complete) {
          r.pendingApprovals = Math.max(0, r.pendingApprovals - 1);
          unpark(r, 'approval');
        }
        break;
      case 'approval.rejected':
        r.pendingApprovals = Math.max(0, r.pendingApprovals - 1);
        unpark(r, 'approval');
        break;
      case 'approval.expired':
        r.pendingApprovals = Math.max(0, r.pendingApprovals - 1);
        if ((e.data as EventPayloads['approval.expired']).outcome === 'expire') {
          r.status = 'expired';
          r.waitingReason = null;
        } else unpark(r, 'approval');
        break;
      case 'tool.completed':
      case 'tool.failed':
      case 'tool.retry_approved':
        unpark(r, 'outcome_unknown');
        break;
      case 'run.input':
        unpark(r, 'input');
        break;
      case 'run.waiting':
        r.status = 'waiting_on_human';
        r.waitingReason = (e.data as EventPayloads['run.waiting']).reason;
        break;
      case 'run.completed':
        r.status = 'completed';
        r.waitingReason = null;
        break;
      case 'run.failed':
        r.status = 'failed';
        r.waitingReason = null;
        break;
      case 'run.cancelled':
        r.status = 'cancelled';
        r.waitingReason = null;
        break;
    }
    r.headSeq = e.seq;
    r.updatedAt = e.at;
  }
  if (isTerminal(r.status)) {
    r.leaseOwner = null;
    r.leaseExpiresAtMs = null;
  }
  return r;
}
