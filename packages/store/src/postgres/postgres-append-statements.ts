import type { QueryConfig } from 'pg';
import { type RunRecord, TERMINAL_STATUSES } from '@kestrion/core';
import type { AppendRequest } from '../store-dialect';
import { RUNNABLE_CHANNEL } from './postgres-wakeups';
import type { PostgresTables } from './postgres-tables';

const ENDED = TERMINAL_STATUSES.map((x) => `'${x}'`).join(', ');

type Shape = 'newRun' | 'next' | 'leased';

/** The statement texts of an append, for one set of tables: each shape, plain and notifying. */
interface AppendTexts {
  text: Record<Shape, string>;
  notifying: Record<Shape, string>;
  names: Record<Shape, string>;
}

function appendTexts(t: PostgresTables): AppendTexts {
  /** Inserts the append's events, but only when the guard (the `runs` write) took. */
  const insertEvents = `insert into ${t.events} (run_id, seq, event_id, type, v, at, data, cost)
  select $1::text, t.seq, t.id, t.type, t.v, t.at, t.data, t.cost
  from unnest($2::int[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[])
    as t(seq, id, type, v, at, data, cost)
  where exists (select 1 from guard)`;
  /**
   * The append that makes a run claimable notifies the runnable channel itself, when its guard
   * takes ($12 is the agent); PostgreSQL delivers it when the statement's transaction commits.
   * Not a trigger on the runs table: an AFTER UPDATE row trigger makes PostgreSQL fetch the old
   * row again on every update, though its WHEN lets almost none through (5-10% of the
   * server's CPU per append with 100 runs appending at once, PostgreSQL 15). The appender knows the previous
   * row, which the head guard proves, so it knows when the run was not claimable before.
   */
  const notifying = (guard: string) =>
    `with guard as (${guard}), notified as (select pg_notify('${RUNNABLE_CHANNEL}', $12) from guard)
  ${insertEvents} and exists (select 1 from notified)`;
  /**
   * Moves the head, guarded by `head_seq = expectedSeq` (and the lease, for the lease variant).
   * An append that ends the run also frees its lease (see projectRunRecord). The metadata is
   * written unchanged after the first append: an equal value keeps the update HOT.
   */
  const updateRun = `update ${t.runs} set status = $9, waiting_reason = $10, head_seq = $11, agent = $12,
    parent_run_id = $13, pending_approvals = $14, updated_at = $15,
    approval_deadlines = $17, next_due_at_ms = $18, waiting_on_run = $19, runnable = $20, metadata = $21::jsonb,
    lease_owner = case when $9 in (${ENDED}) then null else lease_owner end,
    lease_expires_at_ms = case when $9 in (${ENDED}) then null else lease_expires_at_ms end
  where run_id = $1 and head_seq = $16`;
  const insertRun = `insert into ${t.runs} (run_id, status, waiting_reason, head_seq, agent, parent_run_id,
    pending_approvals, created_at, updated_at, lease_owner, lease_epoch, lease_expires_at_ms,
    approval_deadlines, next_due_at_ms, waiting_on_run, runnable, metadata, priority, concurrency_key)
  values ($1, $9, $10, $11, $12, $13, $14, $15, $16, null, 0, null, $17, $18, $19, $20, $21::jsonb, $22, $23)
  on conflict (run_id) do nothing returning run_id`;
  const guards: Record<Shape, string> = {
    newRun: insertRun,
    next: `${updateRun} returning run_id`,
    leased: `${updateRun} and lease_owner = $22 and lease_epoch = $23 returning run_id`,
  };
  const each = (f: (shape: Shape) => string) =>
    ({ newRun: f('newRun'), next: f('next'), leased: f('leased') }) as Record<Shape, string>;
  return {
    text: each((shape) => `with guard as (${guards[shape]}) ${insertEvents}`),
    notifying: each((shape) => notifying(guards[shape])),
    names: {
      newRun: `kestrion_append_new_run${t.statementSuffix}`,
      next: `kestrion_append${t.statementSuffix}`,
      leased: `kestrion_append_leased${t.statementSuffix}`,
    },
  };
}

/**
 * The one statement of a PostgreSQL append, as a named prepared statement: each pooled
 * connection parses and plans it once, not on every append. Three shapes (new run, next
 * append, next append under a lease), each plain or notifying, with a fixed text per set of
 * tables. Every append writes the scheduling fields, changed or not: leaving them out of the
 * UPDATE made 100 concurrently appending runs slower on PostgreSQL 15 (more server CPU per
 * append), though it was cheaper one append at a time.
 */
export class PostgresAppendStatements {
  private readonly texts: AppendTexts;

  constructor(tables: PostgresTables) {
    this.texts = appendTexts(tables);
  }

  statement(req: AppendRequest, prev: RunRecord | undefined, next: RunRecord): QueryConfig {
    const { rows, expectedSeq, lease } = req;
    const { texts } = this;
    const events = [
      next.runId,
      rows.map((x) => x.seq),
      rows.map((x) => x.id),
      rows.map((x) => x.type),
      rows.map((x) => x.v),
      rows.map((x) => x.at),
      rows.map((x) => x.data),
      rows.map((x) => x.cost),
    ];
    const run = [
      next.status,
      next.waitingReason,
      next.headSeq,
      next.agent,
      next.parentRunId,
      next.pendingApprovals,
      next.updatedAt,
    ];
    // The scheduling fields and the metadata, $17-$21 in every shape (written with every append).
    const scheduling = [
      JSON.stringify(next.approvalDeadlines),
      next.nextDueAtMs,
      next.waitingOnRun,
      next.runnable ? 1 : 0,
      JSON.stringify(next.metadata),
    ];
    const notify = next.runnable && !prev?.runnable;
    const shape: Shape = !prev ? 'newRun' : lease ? 'leased' : 'next';
    const values =
      shape === 'newRun'
        ? [
            ...events,
            ...run.slice(0, 6),
            // created_at comes from the first event, as in projectRunRecord.
            next.createdAt,
            next.updatedAt,
            ...scheduling,
            // Priority and concurrency key come from run.started, the first event: set once, here.
            next.priority,
            next.concurrencyKey,
          ]
        : shape === 'next'
          ? [...events, ...run, expectedSeq, ...scheduling]
          : [...events, ...run, expectedSeq, ...scheduling, lease?.owner, lease?.epoch];
    return {
      name: notify ? `${texts.names[shape]}_notify` : texts.names[shape],
      text: notify ? texts.notifying[shape] : texts.text[shape],
      values,
    };
  }
}
