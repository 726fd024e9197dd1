import {
  ConcurrencyError,
  EventDecoder,
  type EventRegistry,
  LeaseLostError,
  type Lease,
  type RawEventRow,
  RunBusyError,
  RunEndedError,
  RunIdTakenError,
  RunNotFoundError,
  type RunRecord,
  type StoredEvent,
  TERMINAL_STATUSES,
} from '@kestrion/core';

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

const ENDED: ReadonlySet<string> = new Set(TERMINAL_STATUSES);

/** Why an acquire found no lease to take: the run is missing, has ended, or someone else holds it. */
export function refusedAcquire(runId: string, current: RunRecord | undefined): Error {
  if (!current) return new RunNotFoundError(runId);
  if (ENDED.has(current.status)) return new RunEndedError(runId, current.status);
  return new RunBusyError(runId, current.leaseOwner ?? '?', current.leaseExpiresAtMs ?? 0);
}

export function decodeRows(runId: string, rows: RawEventRow[], registry: EventRegistry): StoredEvent[] {
  const first = rows[0];
  if (!first) return [];
  const decoder = new EventDecoder(runId, first.seq, registry);
  return rows.map((r) => decoder.decode(r));
}
