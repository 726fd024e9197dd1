import type { RunState } from '../state/run-state';

const DEFAULT_LIMIT = 1000;

/**
 * The state of runs this engine committed last, keyed by run and valid only at the head seq
 * it was folded to. A log is immutable, so a state folded to seq N is the state of any reader
 * that finds the head at N: an approve followed by a resume in the same process then reads the
 * run once instead of twice. Whoever acts on an entry proves the head (the lease reports it;
 * otherwise the runs row does) and drops it when another head shows. Entries are JSON text,
 * so each taker gets its own copy to fold into.
 */
export class RunStateCache {
  private readonly entries = new Map<string, string>();

  constructor(private readonly limit = DEFAULT_LIMIT) {}

  /**
   * A copy of the run's state as this engine left it, with no proof of the head: the caller
   * must prove `state.seq` and `state.createdAt` (a lease reports both; otherwise the runs row
   * does) before acting on it, and forget the entry when the proof fails.
   */
  copy(runId: string): RunState | undefined {
    const json = this.entries.get(runId);
    return json === undefined ? undefined : (JSON.parse(json) as RunState);
  }

  /** Remembers a state whose every event is durable (`state.seq` is the head). */
  remember(state: RunState): void {
    this.entries.delete(state.runId);
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(state.runId, JSON.stringify(state));
  }

  forget(runId: string): void {
    this.entries.delete(runId);
  }
}
