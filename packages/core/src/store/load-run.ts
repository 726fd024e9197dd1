import { FOLD_VERSION, foldInto } from '../state/fold';
import type { RunState } from '../state/run-state';
import type { Store } from './store';

/**
 * A run's current state: the newest snapshot of this fold version plus the events after it
 * (snapshots are a cache; with none, the whole log is folded). Undefined when the run has
 * no events.
 */
export async function loadRunState(store: Store, runId: string): Promise<RunState | undefined> {
  const snap = await store.loadSnapshot(runId, FOLD_VERSION);
  let state: RunState | undefined = snap?.state;
  for await (const e of store.readEvents(runId, { fromSeq: (snap?.seq ?? 0) + 1 }))
    state = foldInto(state, e);
  return state;
}
