import type { RunState } from '../state/run-state';

const DEFAULT_LIMIT = 1000;

/**
 * The state of runs this engine committed last, keyed by run and valid only at the head seq
 * it was folded to. A log is immutable, so a state folded to seq N is the state of any reader
 * that finds the head at N: an approve followed by a resume in the same process then reads the
 * run once instead of twice. Whoever acts on an entry proves the head (the lease reports it;
 * otherwise the runs row does); any other head drops it. Entries are JSON text, so each
 * taker gets its own copy to fold into.
 */
export class RunStateCache {
  private readonly entries = new Map<string, { headSeq: number; createdAt: string; json: string }>();

  constructor(private readonly limit = DEFAULT_LIMIT) {}

  /**
   * The run's state if it was remembered at exactly `head.seq`, for the run created at
   * `head.createdAt` (a run purged and started again under the same id is another run).
   */
  take(runId: string, head: { seq: number; createdAt: string }): RunState | undefined {
    const entry = this.entries.get(runId);
    if (!entry) return undefined;
    if (entry.headSeq === head.seq && entry.createdAt === head.createdAt)
      return JSON.parse(entry.json) as RunState;
    this.entries.delete(runId);
    return undefined;
  }

  /**
   * The run's state as this engine left it, with no proof of the head: the caller must prove
   * `state.seq` and `state.createdAt` (a lease reports both) before acting on it.
   */
  takeUnproven(runId: string): RunState | undefined {
    const entry = this.entries.get(runId);
    if (!entry) return undefined;
    this.entries.delete(runId);
    return JSON.parse(entry.json) as RunState;
  }

  has(runId: string): boolean {
    return this.entries.has(runId);
  }

  /** Remembers a state whose every event is durable (`state.seq` is the head). */
  remember(state: RunState): void {
    this.entries.delete(state.runId);
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(state.runId, {
      headSeq: state.seq,
      createdAt: state.createdAt,
      json: JSON.stringify(state),
    });
  }

  forget(runId: string): void {
    this.entries.delete(runId);
  }
}
