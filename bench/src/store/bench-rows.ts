import type { NewEvent } from '@kestrion/core';

/** The columns of one `kestrion_events` row, as the raw baselines insert them. */
export interface BenchRow {
  runId: string;
  seq: number;
  eventId: string;
  type: string;
  v: number;
  at: string;
  data: string;
  cost: string | null;
}

const BASE_MS = Date.UTC(2025, 0, 1);
const TYPE = 'state.patched';
const NOTE = 'kubectl rollout status deployment/api --namespace prod finished; 3 of 3 replicas ready';

/** A ~200-byte JSON payload that varies with the seq, like a state patch. */
export function benchPayload(runId: string, seq: number): { [k: string]: string | number | string[] } {
  return {
    op: 'replace',
    path: `/steps/${seq}/result`,
    run: runId.slice(-12),
    seq,
    note: NOTE,
    tags: ['deploy', 'prod', `s${seq % 97}`],
  };
}

/** The event Kestrion appends at `seq`; `benchRow` is the same row for the raw inserts. */
export function benchEvent(runId: string, seq: number): NewEvent {
  return {
    id: `evt_${runId}_${seq.toString(36).padStart(6, '0')}`,
    type: TYPE,
    at: new Date(BASE_MS + seq).toISOString(),
    data: benchPayload(runId, seq),
  };
}

export function benchRow(runId: string, seq: number): BenchRow {
  const e = benchEvent(runId, seq);
  return {
    runId,
    seq,
    eventId: e.id,
    type: e.type,
    v: 1,
    at: e.at,
    data: JSON.stringify(e.data),
    cost: null,
  };
}

/**
 * Columns and constraints of `kestrion_events`, for a raw table of the same shape (on SQLite,
 * WITHOUT ROWID like migration 0003 makes it: the floor gets the same clustered layout).
 */
export function eventsTableDdl(table: string, withoutRowid = false): string {
  return `create table ${table} (
    run_id text not null, seq integer not null, event_id text not null, type text not null,
    v integer not null, at text not null, data text not null, cost text,
    constraint ${table}_pk primary key (run_id, seq),
    constraint ${table}_event_id_uq unique (run_id, event_id))${withoutRowid ? ' without rowid' : ''}`;
}

/** One event of every run, then the next one of every run...: the rows a group commit writes. */
export function interleavedRows(runs: number, perRun: number, prefix: string): BenchRow[] {
  const rows: BenchRow[] = [];
  for (let seq = 1; seq <= perRun; seq++)
    for (let r = 0; r < runs; r++) rows.push(benchRow(`${prefix}-${r}`, seq));
  return rows;
}

/** Rows 1..count of one run. */
export const rowsOf = (runId: string, count: number): BenchRow[] =>
  Array.from({ length: count }, (_, i) => benchRow(runId, i + 1));
