import { DuplicateEventIdError, InvalidListQueryError } from '../errors';
import type { RunStatus } from '../state/run-state';
import { runMetadataProblem } from './run-metadata';
import type { ListRunsQuery } from './store';

const RUN_STATUSES: ReadonlySet<string> = new Set<RunStatus>([
  'pending',
  'running',
  'waiting_on_human',
  'completed',
  'failed',
  'cancelled',
  'expired',
]);

/**
 * Refuses a `listRuns` query no store can answer sensibly, before any query runs: a limit that
 * is not a whole number of at least 1 (negative, fractional, NaN, Infinity), a metadata filter
 * that is not valid run metadata, or a status filter that is empty or names a status that does
 * not exist. Every store checks the same way.
 */
export function assertValidListQuery(q: ListRunsQuery): void {
  if (q.limit !== undefined && !(Number.isSafeInteger(q.limit) && q.limit >= 1))
    throw new InvalidListQueryError(
      `listRuns: limit ${String(q.limit)} is not a whole number of runs; pass an integer of 1 or more (default 50)`,
    );
  if (q.metadata !== undefined) {
    const problem = runMetadataProblem(q.metadata);
    if (problem !== undefined) throw new InvalidListQueryError(`listRuns: the metadata filter ${problem}`);
  }
  if (q.status === undefined) return;
  const statuses: unknown[] = ([] as unknown[]).concat(q.status);
  if (statuses.length === 0)
    throw new InvalidListQueryError(
      'listRuns: status is an empty list, which matches no run; leave status out to list runs of every status',
    );
  const unknown = statuses.find((s) => typeof s !== 'string' || !RUN_STATUSES.has(s));
  if (unknown !== undefined)
    throw new InvalidListQueryError(
      `listRuns: status ${JSON.stringify(unknown)} does not exist; use one of ${[...RUN_STATUSES].join(', ')}`,
    );
}

/**
 * Refuses an append that carries one event id twice: the log keys events by (run, id), so the
 * batch could never be stored whole. Checked before anything is written, in every store.
 */
export function assertDistinctEventIds(runId: string, ids: readonly string[]): void {
  if (ids.length < 2) return;
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new DuplicateEventIdError(runId, id);
    seen.add(id);
  }
}
