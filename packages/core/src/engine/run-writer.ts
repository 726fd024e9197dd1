import { ConcurrencyError, StoreError } from '../errors';
import { encodeEventData, redactForStore } from '../store/event-codec';
import type { EventCost, NewEvent, StoredEvent } from '../events/envelope';
import type { ErrorInfo, EventPayloads, WaitingReason } from '../events/event-types';
import { type Clock, isoAt } from '../ports/clock';
import type { IdGenerator } from '../ports/ids';
import { FOLD_VERSION, foldInto } from '../state/fold';
import type { RunState } from '../state/run-state';
import type { Lease, Store } from '../store/store';
import type { Json } from '../util/json';
import { runEnding } from './run-ending';

/** Times an append that failed with a retryable StoreError is sent again (100, 200, 400 ms apart). */
const STORE_RESENDS = 3;

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
 * The single writer of one run inside one driver. Commits happen at effect boundaries:
 * `defer` records events that nothing outside this process needs yet (a node transition, a
 * model response, a tool request) — they are folded into the state at once and committed with
 * the next `append`, which is made right before every side effect (a tool starting, a model
 * call) and whenever the run parks or ends. So every effect is preceded by a durable log of
 * everything that led to it, with one fsync per effect instead of one per event. A crash
 * loses only deferred events, whose work is pure and is redone on resume (a model response
 * lost this way is requested again, as attempt 2).
 *
 * Appends are serialized (concurrent tool calls of a batch share the writer), fenced by
 * expected seq and lease. Snapshots are taken every `snapshotEvery` events.
 */
export class RunWriter {
  private chain: Promise<unknown> = Promise.resolve();
  private pending: NewEvent[] = [];
  private durableSeq: number;
  private lastSnapshotSeq: number;
  /** Commits made so far: lets a driver tell whether a node already committed something. */
  commits = 0;
  /** Set once the state shows events the log will never hold (see dropOversized). */
  private diverged = false;

  /** `pending` holds an outcome that must be durable at the next turn (`commitSoon`). */
  private urgent = false;
  private cancelling: Promise<StoredEvent[]> | undefined;
  /** A `commitSoon` commit is scheduled for the next turn of the event loop. */
  private commitScheduled = false;

  constructor(
    readonly state: RunState,
    private readonly store: Store,
    private readonly lease: Lease | undefined,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly snapshotEvery: number,
    private readonly observer?: RunObserver,
  ) {
    this.durableSeq = state.seq;
    this.lastSnapshotSeq = state.seq;
  }

  /**
   * Records events that must be durable now, but lets them share a commit with whatever the
   * node commits before this process next turns its event loop: a node that ends right after
   * its tool call (`return { next: END, ... }`) commits the call's outcome with its own
   * transition, one commit instead of two. Otherwise they are committed on their own at the
   * next turn (`setImmediate`) — the crash window stays that of an append in flight. A failed
   * background commit keeps them pending for the next append, which reports the failure.
   */
  commitSoon(drafts: Draft[]): void {
    this.defer(drafts);
    this.urgent = true;
    if (this.commitScheduled) return;
    this.commitScheduled = true;
    setImmediate(() => {
      this.commitScheduled = false;
      if (this.pending.length > 0) this.flush().catch(() => undefined);
    });
  }

  /**
   * Commits now what `commitSoon` left pending, if anything: before the next effect, an
   * outcome must be durable on its own (and the commit folds what other processes appended
   * meanwhile, such as a cancel request, before the effect is decided on).
   */
  async commitUrgent(): Promise<void> {
    if (this.urgent) await this.flush();
  }

  /** Records events to commit with the next append; the state sees them now. */
  defer(drafts: Draft[]): void {
    for (const drafted of this.toEvents(drafts)) {
      // Checked and serialized once, here (InvalidEventDataError at the call that made it, so
      // nothing unstorable waits in `pending`); the append reuses the text.
      const { event: e, json } = encodeEventData(this.state.runId, drafted);
      this.pending.push(e);
      // A copy: the state must not share objects with tool results or callers' arguments.
      // (A JSON round trip: payloads are JSON, and it is ~10× cheaper than structuredClone.)
      // Built field by field: a spread of the checked event (a class instance) takes V8's slow
      // object-clone path.
      const folded: StoredEvent = {
        runId: this.state.runId,
        seq: this.state.seq + 1,
        id: e.id,
        type: e.type,
        v: 1,
        at: e.at,
        data: JSON.parse(json) as Json,
      };
      if (e.cost !== undefined) folded.cost = e.cost;
      foldInto(this.state, folded);
    }
  }

  /** Commits the deferred events and these, in one append. */
  append(drafts: Draft[]): Promise<StoredEvent[]> {
    const events = this.toEvents(drafts);
    const next = this.chain.then(() => this.write(events));
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Parks the run: `leading` and `run.waiting`, with everything deferred, in one append. */
  park(reason: WaitingReason, node: string, leading: Draft[] = []): Promise<StoredEvent[]> {
    return this.append([...leading, runEnding.park(reason, node)]);
  }

  /** Throttles the run (its provider quota is full until `untilMs`), with everything deferred, in one append. */
  throttle(node: string, bucket: string, reason: string, untilMs: number): Promise<StoredEvent[]> {
    return this.append([runEnding.throttle(node, bucket, reason, untilMs)]);
  }

  /** Fails the run: `leading` and `run.failed`, with everything deferred, in one append. */
  fail(error: ErrorInfo, leading: Draft[] = []): Promise<StoredEvent[]> {
    return this.append([...leading, runEnding.fail(error)]);
  }

  /** Cancels the run (a cancel was requested), with everything deferred, in one append. */
  cancel(by: string): Promise<StoredEvent[]> {
    // One run.cancelled, however many calls of the node meet the cancel.
    this.cancelling ??= this.append([runEnding.cancel(by)]);
    return this.cancelling;
  }

  /** Commits whatever is deferred. */
  flush(): Promise<StoredEvent[]> {
    return this.append([]);
  }

  /**
   * Forgets deferred events over the payload limit (they can never be stored) so the run's
   * failure can be recorded after the rest. The in-memory state still shows them.
   */
  dropOversized(limit: number): void {
    const size = (e: NewEvent) =>
      Buffer.byteLength(JSON.stringify(e.data)) + (e.cost ? Buffer.byteLength(JSON.stringify(e.cost)) : 0);
    this.pending = this.pending.filter((e) => size(e) <= limit);
    this.diverged = true;
    this.state.seq = this.durableSeq + this.pending.length;
  }

  /** True when the state is exactly the fold of the durable log (nothing deferred). */
  get settled(): boolean {
    return !this.diverged && this.pending.length === 0 && this.state.seq === this.durableSeq;
  }

  /** Snapshots the state once everything is durable (used when a run parks). */
  async snapshot(): Promise<void> {
    await this.flush();
    if (this.pending.length === 0) await this.saveSnapshot();
  }

  /** Events as the store will keep them: redacted before anything folds them. */
  private toEvents(drafts: Draft[]): NewEvent[] {
    // A flush (`append([])`) has nothing to stamp.
    if (drafts.length === 0) return [];
    const at = isoAt(this.clock);
    const redact = this.store.redactor;
    return drafts.map((d) =>
      redactForStore(
        {
          id: this.ids.newId('evt'),
          type: d.type,
          at,
          data: d.data as unknown as Json,
          ...(d.cost ? { cost: d.cost } : {}),
        },
        this.state.runId,
        redact,
      ),
    );
  }

  private async write(events: NewEvent[]): Promise<StoredEvent[]> {
    // Events deferred while this append is in flight (a concurrent call of the same batch)
    // wait for the next one; their folds commute with these (they concern other calls).
    const deferred = this.pending;
    this.pending = [];
    const urgent = this.urgent;
    this.urgent = false;
    const all = [...deferred, ...events];
    if (all.length === 0) return [];
    try {
      return await this.commit(all, deferred.length);
    } catch (error) {
      this.pending = [...deferred, ...this.pending];
      this.urgent ||= urgent;
      throw error;
    }
  }

  private async commit(all: NewEvent[], deferredCount: number): Promise<StoredEvent[]> {
    let resends = 0;
    for (let rebase = 0; ; rebase++) {
      try {
        const before = this.durableSeq;
        const { events: stored, headSeq } = await this.store.append(
          this.state.runId,
          before,
          all,
          this.lease ? { lease: this.lease } : {},
        );
        this.durableSeq = headSeq;
        this.commits += 1;
        // Deferred events were folded already; the new ones are folded from what was stored.
        for (const e of stored.slice(deferredCount)) foldInto(this.state, e);
        this.state.seq = headSeq + this.pending.length;
        this.observer?.onEvents?.(stored);
        // Only a state with nothing deferred may be snapshotted: a snapshot never runs ahead of the log.
        if (this.pending.length === 0 && headSeq - this.lastSnapshotSeq >= this.snapshotEvery)
          await this.saveSnapshot();
        return stored;
      } catch (error) {
        // A connection lost mid-append (a terminated backend, a failover): the append may or
        // may not have committed. The same events are sent again — the store answers a re-sent
        // append it already holds as a duplicate — so a tool's outcome is not lost to a blip
        // (the run would park outcome_unknown for a person). Bounded; the lease still fences it.
        if (error instanceof StoreError && error.retryable && resends < STORE_RESENDS) {
          await new Promise((r) => setTimeout(r, 100 * 2 ** resends++));
          rebase--;
          continue;
        }
        if (!(error instanceof ConcurrencyError) || rebase >= 3 || !(await this.absorbForeign())) throw error;
      }
    }
  }

  /** Folds events another process appended meanwhile, if all are harmless; true when it did. */
  private async absorbForeign(): Promise<boolean> {
    const foreign: StoredEvent[] = [];
    for await (const e of this.store.readEvents(this.state.runId, { fromSeq: this.durableSeq + 1 }))
      foreign.push(e);
    if (foreign.length === 0 || !foreign.every((e) => FOREIGN_SAFE.has(e.type))) return false;
    for (const e of foreign) foldInto(this.state, e);
    this.durableSeq = foreign[foreign.length - 1]?.seq ?? this.durableSeq;
    return true;
  }

  private saveSnapshot(): Promise<void> {
    this.lastSnapshotSeq = this.state.seq;
    return this.store.saveSnapshot({
      runId: this.state.runId,
      seq: this.state.seq,
      foldVersion: FOLD_VERSION,
      state: this.state,
    });
  }
}
