import { ConcurrencyError } from '../errors';
import type { EventCost, NewEvent, StoredEvent } from '../events/envelope';
import type { EventPayloads } from '../events/event-types';
import { type Clock, isoAt } from '../ports/clock';
import type { IdGenerator } from '../ports/ids';
import { FOLD_VERSION, foldInto } from '../state/fold';
import type { RunState } from '../state/run-state';
import type { Lease, Store } from '../store/store';
import type { Json } from '../util/json';

/** Watches a run as it is driven: durable events as they land, model text as it streams. */
export interface RunObserver {
  onEvents?(events: StoredEvent[]): void;
  onTextDelta?(delta: string, info: { attempt: number }): void;
}

export type Draft = {
  [K in keyof EventPayloads]: { type: K; data: EventPayloads[K]; cost?: EventCost };
}[keyof EventPayloads];

/** Types another process may append while a driver holds the lease; they never conflict with its work. */
const FOREIGN_SAFE = new Set(['run.cancel_requested']);

/**
 * The single writer of one run inside one driver: appends are serialized (concurrent tool
 * calls of a batch share it), fenced by expected seq and lease, and folded into the driver's
 * state as soon as they are durable. Snapshots are taken every `snapshotEvery` events.
 */
export class RunWriter {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly state: RunState,
    private readonly store: Store,
    private readonly lease: Lease | undefined,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly snapshotEvery: number,
    private readonly observer?: RunObserver,
  ) {}

  append(drafts: Draft[]): Promise<StoredEvent[]> {
    const next = this.chain.then(() => this.write(drafts));
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Snapshots the state once every pending append is durable (used when a run parks). */
  async snapshot(): Promise<void> {
    await this.chain;
    await this.saveSnapshot();
  }

  private async write(drafts: Draft[]): Promise<StoredEvent[]> {
    if (drafts.length === 0) return [];
    const at = isoAt(this.clock);
    const events: NewEvent[] = drafts.map((d) => ({
      id: this.ids.newId('evt'),
      type: d.type,
      at,
      data: d.data as unknown as Json,
      ...(d.cost ? { cost: d.cost } : {}),
    }));
    for (let rebase = 0; ; rebase++) {
      try {
        const before = this.state.seq;
        const { events: stored } = await this.store.append(
          this.state.runId,
          before,
          events,
          this.lease ? { lease: this.lease } : {},
        );
        for (const e of stored) foldInto(this.state, e);
        this.observer?.onEvents?.(stored);
        if (Math.floor(this.state.seq / this.snapshotEvery) > Math.floor(before / this.snapshotEvery))
          await this.saveSnapshot();
        return stored;
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || rebase >= 3 || !(await this.absorbForeign())) throw error;
      }
    }
  }

  /** Folds events another process appended meanwhile, if all are harmless; true when it did. */
  private async absorbForeign(): Promise<boolean> {
    const foreign: StoredEvent[] = [];
    for await (const e of this.store.readEvents(this.state.runId, { fromSeq: this.state.seq + 1 }))
      foreign.push(e);
    if (foreign.length === 0 || !foreign.every((e) => FOREIGN_SAFE.has(e.type))) return false;
    for (const e of foreign) foldInto(this.state, e);
    return true;
  }

  private saveSnapshot(): Promise<void> {
    return this.store.saveSnapshot({
      runId: this.state.runId,
      seq: this.state.seq,
      foldVersion: FOLD_VERSION,
      state: this.state,
    });
  }
}
