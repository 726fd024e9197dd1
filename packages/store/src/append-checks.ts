import {
  type EventRegistry,
  RunBusyError,
  RunEndedError,
  RunNotFoundError,
  type RunRecord,
  type StoredEvent,
  TERMINAL_STATUSES,
} from '@kestrion/core';
import { EventDecoder, type RawEventRow } from '@kestrion/core/store-kit';

// The append precedence itself (re-send, lease fence, head, empty) is core's decideAppend
// (@kestrion/core/store-kit), shared with the in-memory store.

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
