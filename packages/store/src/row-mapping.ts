import type { RunMetadata, RunRecord, RunStatus, WaitingReason } from '@kestrion/core';
import type { RawEventRow } from '@kestrion/core/store-kit';
import type { EventsTable, RunsTable } from './schema';

export function toRunRecord(row: RunsTable): RunRecord {
  return {
    runId: row.run_id,
    status: row.status as RunStatus,
    waitingReason: row.waiting_reason as WaitingReason | null,
    headSeq: Number(row.head_seq),
    agent: row.agent,
    parentRunId: row.parent_run_id,
    pendingApprovals: Number(row.pending_approvals),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    leaseOwner: row.lease_owner,
    leaseEpoch: Number(row.lease_epoch),
    leaseExpiresAtMs: row.lease_expires_at_ms === null ? null : Number(row.lease_expires_at_ms),
    approvalDeadlines: JSON.parse(row.approval_deadlines) as Record<string, number>,
    nextDueAtMs: row.next_due_at_ms === null ? null : Number(row.next_due_at_ms),
    waitingOnRun: row.waiting_on_run,
    runnable: Number(row.runnable) === 1,
    metadata: typeof row.metadata === 'string' ? (JSON.parse(row.metadata) as RunMetadata) : row.metadata,
    priority: Number(row.priority ?? 0),
    concurrencyKey: row.concurrency_key ?? null,
  };
}

export function toRunsRow(r: RunRecord): RunsTable {
  return {
    run_id: r.runId,
    status: r.status,
    waiting_reason: r.waitingReason,
    head_seq: r.headSeq,
    agent: r.agent,
    parent_run_id: r.parentRunId,
    pending_approvals: r.pendingApprovals,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    lease_owner: r.leaseOwner,
    lease_epoch: r.leaseEpoch,
    lease_expires_at_ms: r.leaseExpiresAtMs,
    approval_deadlines: JSON.stringify(r.approvalDeadlines),
    next_due_at_ms: r.nextDueAtMs,
    waiting_on_run: r.waitingOnRun,
    runnable: r.runnable ? 1 : 0,
    metadata: JSON.stringify(r.metadata),
    priority: r.priority,
    concurrency_key: r.concurrencyKey,
  };
}

export function toEventsRow(r: RawEventRow): EventsTable {
  return {
    run_id: r.runId,
    seq: r.seq,
    event_id: r.id,
    type: r.type,
    v: r.v,
    at: r.at,
    data: r.data,
    cost: r.cost,
  };
}

export function toRawEventRow(row: EventsTable): RawEventRow {
  return {
    runId: row.run_id,
    seq: Number(row.seq),
    id: row.event_id,
    type: row.type,
    v: Number(row.v),
    at: row.at,
    data: row.data,
    cost: row.cost,
  };
}
