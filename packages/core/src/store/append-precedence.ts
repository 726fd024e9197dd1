import { ConcurrencyError, LeaseLostError, RunIdTakenError } from '../errors';
import type { Lease, RunRecord } from './store';

/** What an append's checks need of the run's row, as its transaction sees it. */
export type AppendHead = Pick<RunRecord, 'headSeq' | 'leaseOwner' | 'leaseEpoch'>;

/** What an append does once its checks passed: write, report a stored re-send, or nothing. */
export type AppendDecision =
  { kind: 'write' } | { kind: 'duplicate'; headSeq: number } | { kind: 'empty'; headSeq: number };

export interface AppendCheck {
  runId: string;
  expectedSeq: number;
  /** How many events the append holds. */
  count: number;
  lease?: Lease | undefined;
  /** The run's row (undefined: no such run). */
  current: AppendHead | undefined;
  /**
   * True when the events' ids already sit at exactly their seqs: look them up only when
   * {@link resendSpan} gives a span (the head has moved past them), else pass false.
   */
  resent: boolean;
}

/**
 * The append precedence every store applies, in this order (docs/stores.md):
 * 1. a re-send already stored is a duplicate, even if its lease has gone since (an append that
 *    ended the run freed it);
 * 2. the lease fence: a lease that is not the run's current one is `LeaseLostError`;
 * 3. the head: not at `expectedSeq` is `RunIdTakenError` (a new run under a taken id) or
 *    `ConcurrencyError`;
 * 4. an append of no events writes nothing.
 * Pure: each store looks up its rows and applies the verdict in its own transaction.
 */
export function decideAppend(check: AppendCheck): AppendDecision {
  const { runId, expectedSeq, current } = check;
  const head = current?.headSeq ?? 0;
  if (head !== expectedSeq && check.resent) return { kind: 'duplicate', headSeq: head };
  if (check.lease) assertLeaseCurrent(current, check.lease);
  if (head !== expectedSeq) throw headMismatch(runId, expectedSeq, current?.headSeq);
  return check.count === 0 ? { kind: 'empty', headSeq: head } : { kind: 'write' };
}

/**
 * The seqs a re-sent append would occupy, when the run's head is not where the append expected
 * it and has already passed them; undefined when the append cannot be a stored re-send.
 */
export function resendSpan(
  rows: ReadonlyArray<{ seq: number }>,
  expectedSeq: number,
  headSeq: number | undefined,
): [number, number] | undefined {
  const first = rows[0];
  const last = rows[rows.length - 1];
  return first && last && headSeq !== undefined && headSeq !== expectedSeq && headSeq >= last.seq
    ? [first.seq, last.seq]
    : undefined;
}

/** True when `storedIds` (the ids at the rows' seqs, in seq order) are exactly these rows' ids. */
export function isSameEvents(rows: ReadonlyArray<{ id: string }>, storedIds: readonly string[]): boolean {
  return storedIds.length === rows.length && storedIds.every((id, i) => id === rows[i]?.id);
}

/** Throws LeaseLostError unless `lease` is the run's current lease (the fence). */
export function assertLeaseCurrent(record: AppendHead | undefined, lease: Lease): void {
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
