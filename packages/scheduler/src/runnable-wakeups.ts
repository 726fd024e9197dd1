/**
 * A source of "a run may have become runnable" hints (PostgreSQL `LISTEN/NOTIFY`). Hints only
 * make an idle worker ask sooner: a lost or duplicated hint costs at most one poll interval or
 * one empty claim, never a run.
 */
export interface RunnableWakeups {
  /** Calls `onHint` on every hint until the returned function is called. */
  subscribe(onHint: () => void): Promise<() => Promise<void>>;
}
