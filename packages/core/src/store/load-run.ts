import { CorruptLogError, CorruptSnapshotError, StoreError } from '../errors';
import { FOLD_VERSION, foldInto } from '../state/fold';
import type { RunState, RunStatus } from '../state/run-state';
import type { RunRecord, Snapshot, Store } from './store';

/** Told about something wrong that the load worked around (today: a snapshot it ignored). */
export type LoadWarningHandler = (warning: CorruptSnapshotError) => void;

export interface LoadRunOptions {
  /**
   * The run's `runs` row, read before this call (a caller that has it saves a query); null when
   * it was read and there is none. Omitted: read here, before any event.
   */
  record?: RunRecord | null;
  /**
   * Skip the check against the runs row (and its read): for a caller about to append at the
   * loaded head, whose append the store refuses when the row's head differs (ConcurrencyError),
   * after which it loads again with the check.
   */
  fencedByAppend?: boolean;
  /**
   * Called when a snapshot is ignored (unparsable, wrong shape, another run's, ahead of the
   * log); the run is folded from its log instead. Default: `process.emitWarning`.
   */
  onWarning?: LoadWarningHandler;
}

/** The default warning sink: a process warning (printed to stderr by Node), never silence. */
export const emitLoadWarning: LoadWarningHandler = (warning) => process.emitWarning(warning);

/**
 * A run's current state: the newest snapshot of this fold version plus the events after it
 * (snapshots are a cache; with none, the whole log is folded). Undefined when the run has
 * no events.
 *
 * - A snapshot that cannot be used is reported through `onWarning` and the whole log is
 *   folded instead.
 * - The result is checked against the `runs` row (read before the events, so the log can only
 *   be at or past it): a log that ends before the row's head (its last events deleted, or
 *   events missing under a snapshot) is a `CorruptLogError` naming both seqs.
 */
export async function loadRunState(
  store: Store,
  runId: string,
  options: LoadRunOptions = {},
): Promise<RunState | undefined> {
  const warn = options.onWarning ?? emitLoadWarning;
  let given = options.record;
  // A mismatch may be a race (the run purged and started again between the row and the events):
  // the load is tried once more with a fresh row before the log is called corrupt.
  for (let attempt = 0; ; attempt++) {
    const [record, snap] = await Promise.all([
      options.fencedByAppend ? null : given === undefined ? store.getRun(runId) : given,
      readSnapshot(store, runId, warn),
    ]);
    given = undefined;
    let base = snap;
    if (base && record && base.seq > record.headSeq) {
      warn(
        new CorruptSnapshotError(
          runId,
          base.seq,
          `it is ahead of the log (the runs row says head seq ${record.headSeq})`,
        ),
      );
      base = undefined;
    }
    let state: RunState | undefined = base?.state;
    for await (const e of store.readEvents(runId, { fromSeq: (base?.seq ?? 0) + 1 }))
      state = foldInto(state, e);
    const head = state?.seq ?? 0;
    if (!record || head >= record.headSeq) return state;
    if (attempt === 0) continue;
    throw new CorruptLogError(
      runId,
      head + 1,
      head === 0
        ? `the log has no events but the runs row records head seq ${record.headSeq}`
        : `the log ends at seq ${head} but the runs row records head seq ${record.headSeq}${base ? ` (folded from the snapshot at seq ${base.seq})` : ''}; events were lost`,
    );
  }
}

/** The newest snapshot of this fold version if it is usable; a bad one is reported, not thrown. */
async function readSnapshot(
  store: Store,
  runId: string,
  warn: LoadWarningHandler,
): Promise<Snapshot | undefined> {
  let snap: Snapshot | undefined;
  try {
    snap = await store.loadSnapshot(runId, FOLD_VERSION);
  } catch (error) {
    // The store could not be reached: that is not the snapshot's fault, and the log would fail too.
    if (error instanceof StoreError) throw error;
    warn(new CorruptSnapshotError(runId, undefined, 'it could not be read', { cause: error }));
    return undefined;
  }
  if (snap === undefined) return undefined;
  const problem = snapshotProblem(snap, runId);
  if (problem === undefined) return snap;
  warn(new CorruptSnapshotError(runId, seqOf(snap), problem));
  return undefined;
}

function seqOf(snap: unknown): number | undefined {
  const seq = isObject(snap) ? snap.seq : undefined;
  return typeof seq === 'number' ? seq : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// A Record, so a status added to RunStatus without being added here is a type error (a snapshot
// in the new status would otherwise be thrown away on every load).
const STATUS_NAMES: Record<RunStatus, true> = {
  pending: true,
  running: true,
  waiting_on_human: true,
  completed: true,
  failed: true,
  cancelled: true,
  expired: true,
};
const STATUSES: ReadonlySet<string> = new Set(Object.keys(STATUS_NAMES));

const OBJECT_FIELDS = ['data', 'calls', 'llmSteps', 'steps', 'limits', 'totals'] as const;
const ARRAY_FIELDS = ['inbox', 'callOrder'] as const;
const STRING_FIELDS = ['runId', 'agent', 'createdAt', 'updatedAt'] as const;
const TOTALS = ['usd', 'unpricedCalls', 'inputTokens', 'outputTokens', 'llmCalls', 'toolCalls'] as const;

/**
 * Why a stored snapshot cannot stand in for the log it covers, or undefined. Checks what the
 * fold relies on (the shape of the state's containers and counters) and that the snapshot is
 * this run's at the seq it claims; it cannot prove the content right (that is the log's job).
 */
export function snapshotProblem(snap: unknown, runId: string): string | undefined {
  if (!isObject(snap)) return 'it is not an object';
  const { seq, state } = snap;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1)
    return `its seq ${JSON.stringify(seq) ?? String(seq)} is not a positive integer`;
  if (!isObject(state))
    return `its state is ${state === null ? 'null' : Array.isArray(state) ? 'an array' : typeof state}, not an object`;
  for (const k of STRING_FIELDS) if (typeof state[k] !== 'string') return `its state has no string ${k}`;
  if (state.runId !== runId) return `it belongs to run ${JSON.stringify(state.runId)}`;
  if (state.seq !== seq) return `its state is at seq ${JSON.stringify(state.seq)}, not ${seq}`;
  if (typeof state.status !== 'string' || !STATUSES.has(state.status))
    return `its state has an unknown status ${JSON.stringify(state.status)}`;
  if (typeof state.visits !== 'number') return 'its state has no numeric visits';
  for (const k of OBJECT_FIELDS) if (!isObject(state[k])) return `its state's ${k} is not an object`;
  for (const k of ARRAY_FIELDS) if (!Array.isArray(state[k])) return `its state's ${k} is not an array`;
  const totals = state.totals as Record<string, unknown>;
  for (const k of TOTALS) if (typeof totals[k] !== 'number') return `its state's totals.${k} is not a number`;
  const calls = state.calls as Record<string, unknown>;
  for (const id of state.callOrder as unknown[])
    if (typeof id !== 'string' || !Object.hasOwn(calls, id) || !isObject(calls[id]))
      return `its state's callOrder names a call (${JSON.stringify(id)}) it does not hold`;
  return undefined;
}
