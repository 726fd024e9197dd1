import {
  ConcurrencyError,
  EventDecoder,
  type EventRegistry,
  LeaseLostError,
  type Lease,
  type RawEventRow,
  RunIdTakenError,
  type RunRecord,
  type StoredEvent,
} from '@kestrion/core';
import type { Kysely } from 'kysely';
import type { KestrionDatabase } from './schema';

/** Throws LeaseLostError unless `lease` is the run's current lease (the fence). */
export function assertLeaseCurrent(record: RunRecord | undefined, lease: Lease): void {
  if (!record || record.leaseOwner !== lease.owner || record.leaseEpoch !== lease.epoch)
    throw new LeaseLostError(
      lease.runId,
      `now held by ${record?.leaseOwner ?? 'nobody'} at epoch ${record?.leaseEpoch ?? 0}, not ${lease.owner} at epoch ${lease.epoch}`,
    );
}

/**
 * The head was not at `expectedSeq`: a new run (`expectedSeq` 0) under an id that is already
 * taken is RunIdTakenError; anything else is a plain race (ConcurrencyError).
 */
export function headMismatch(runId: string, expectedSeq: number, actualSeq: number | undefined): Error {
  return expectedSeq === 0 && actualSeq !== undefined && actualSeq > 0
    ? new RunIdTakenError(runId, actualSeq)
    : new ConcurrencyError(runId, expectedSeq, actualSeq);
}

/** The seqs a re-sent append would occupy, when the run's head has already passed them. */
export function resendSpan(rows: RawEventRow[], actualSeq: number | undefined): [number, number] | undefined {
  const first = rows[0];
  const last = rows[rows.length - 1];
  return first && last && actualSeq !== undefined && actualSeq >= last.seq
    ? [first.seq, last.seq]
    : undefined;
}

/** True when `stored` (in seq order) holds exactly these rows' event ids. */
export function isSameEvents(rows: RawEventRow[], stored: Array<{ event_id: string }>): boolean {
  return stored.length === rows.length && stored.every((s, i) => s.event_id === rows[i]?.id);
}

/**
 * After a head mismatch: true when this is a re-sent append whose event ids already sit at
 * exactly these seqs (it was stored once; the caller reports a duplicate).
 */
export async function isStoredResend(
  db: Kysely<KestrionDatabase>,
  rows: RawEventRow[],
  actualSeq: number | undefined,
  runId: string,
): Promise<boolean> {
  const span = resendSpan(rows, actualSeq);
  if (!span) return false;
  const stored = await db
    .selectFrom('kestrion_events')
    .select(['seq', 'event_id'])
    .where('run_id', '=', runId)
    .where('seq', '>=', span[0])
    .where('seq', '<=', span[1])
    .orderBy('seq')
    .execute();
  return isSameEvents(rows, stored);
}

export function decodeRows(runId: string, rows: RawEventRow[], registry: EventRegistry): StoredEvent[] {
  const first = rows[0];
  if (!first) return [];
  const decoder = new EventDecoder(runId, first.seq, registry);
  return rows.map((r) => decoder.decode(r));
}
