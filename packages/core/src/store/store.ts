import type { NewEvent, StoredEvent } from '../events/envelope';
import type { Redactor } from './event-codec';
import type { WaitingReason } from '../events/event-types';
import type { RunState, RunStatus } from '../state/run-state';
import type { RunMetadata } from './run-metadata';

/** The `runs` projection: one row per run, updated in the same transaction as every append. */
export interface RunRecord {
  runId: string;
  status: RunStatus;
  waitingReason: WaitingReason | null;
  headSeq: number;
  agent: string;
  parentRunId: string | null;
  pendingApprovals: number;
  createdAt: string;
  updatedAt: string;
  leaseOwner: string | null;
  leaseEpoch: number;
  /** Epoch milliseconds; null when no lease was ever taken or it was released. */
  leaseExpiresAtMs: number | null;
  /**
   * callId -> approval deadline (epoch ms), for the calls awaiting approval that have one.
   * A call leaves it when it is decided (its chain completed, rejected, expired), when a fork
   * revokes it, and every call leaves it when the run ends. Never mutated: a new object per change.
   */
  approvalDeadlines: Record<string, number>;
  /**
   * When a scheduler must look again though nothing was decided: the earliest of
   * `approvalDeadlines`, or, for a throttled run (`run.throttled`: pending, not runnable), the
   * time its provider quota has room again. Null when neither.
   */
  nextDueAtMs: number | null;
  /**
   * The run a suspended call of this run waits on (`tool.suspended`, a sub-agent's run);
   * null once a call is started again, a fork revokes the call, or the run ends.
   */
  waitingOnRun: string | null;
  /**
   * True when a driver has work on this run now, without waiting for time: pending or running
   * (a decision that unparks a run makes it pending), or a cancel was requested while it is
   * parked. False for ended runs, and for a throttled run until its `nextDueAtMs`.
   */
  runnable: boolean;
  /** Claim order: higher first (`run.started`'s `priority`, default 0). */
  priority: number;
  /** Runs sharing a key are limited together by a claim's `concurrencyKeyLimit`; null: none. */
  concurrencyKey: string | null;
  /**
   * The labels the run was started with (`run.started`'s `metadata`), `{}` when none. A fork
   * copies its source's first event, so it carries the source's metadata.
   */
  metadata: RunMetadata;
}

/**
 * Proof of ownership of a run. `epoch` grows with every acquisition, so a lease that was
 * taken over can never be confused with the current one (the fencing token).
 */
export interface Lease {
  runId: string;
  owner: string;
  epoch: number;
  expiresAtMs: number;
  /**
   * The run's head seq and creation time when the lease was granted (acquireLease always sets
   * both): a driver holding the state of this very run (not an earlier run purged and started
   * again under the same id) at exactly this seq need not read the run again.
   */
  headSeq?: number;
  runCreatedAt?: string;
}

export interface LeaseRequest {
  owner: string;
  ttlMs: number;
  /** Epoch ms from the caller's Clock. */
  now: number;
}

export interface AppendOptions {
  /** When given, the append commits only if this lease is still the run's current one. */
  lease?: Lease;
}

export interface AppendResult {
  /** The run's head after the append. */
  headSeq: number;
  /** The events as stored, with their seqs (after redaction). */
  events: StoredEvent[];
  /** True when every event id was already stored at these seqs: a re-sent append, stored once. */
  duplicate: boolean;
}

/** Snapshots a store keeps per run and fold version; older ones are deleted when a newer is saved. */
export const SNAPSHOTS_KEPT = 2;

export interface Snapshot {
  runId: string;
  seq: number;
  foldVersion: number;
  state: RunState;
}

export interface ListRunsQuery {
  status?: RunStatus | RunStatus[];
  agent?: string;
  parentRunId?: string;
  /** Only runs with at least one approval pending. */
  waitingApprovals?: boolean;
  /**
   * Only runs whose metadata holds every one of these entries with exactly this value
   * (`{ tenant: 'acme' }` matches a run started with `{ tenant: 'acme', user: 'u1' }`).
   */
  metadata?: RunMetadata;
  limit?: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
}

export interface RunPage {
  runs: RunRecord[];
  nextCursor?: string;
}

export interface ReadOptions {
  /** First seq to read (default 1). */
  fromSeq?: number;
  /** Rows fetched per round trip while streaming (default 2,500). */
  pageSize?: number;
}

/**
 * A worker's claim. A run is claimable when it has not ended, no live lease holds it, and either
 * a driver has work on it now (`RunRecord.runnable`: pending, running with an expired lease, a
 * cancel requested while parked) or its time has come (`nextDueAtMs <= now`: an approval
 * deadline passed, a quota throttle ran out). The highest `priority` goes first, then the run
 * whose row changed longest ago.
 */
export interface ClaimRequest extends LeaseRequest {
  /** Only runs in these statuses (still runnable or due); absent: any status. */
  statuses?: RunStatus[];
  /**
   * At most this many runs with one `concurrencyKey` driven at once (runs holding a live
   * lease), across every worker of the store; runs without a key are not limited. Absent: no
   * limit.
   */
  concurrencyKeyLimit?: number;
  /**
   * Only runs of these agents (`RunRecord.agent`); absent: any agent. An empty list claims
   * nothing. A worker names the agents it can drive, so it never leases another's run.
   */
  agents?: string[];
}

/**
 * The durable log and its projections. Every implementation passes the contract suite in
 * `@kestrion/testing` (`describeStoreContract`).
 *
 * Contract:
 * - `append` is atomic: all events or none. Seqs are contiguous from 1 per run. When the
 *   run's head is not `expectedSeq` it throws `ConcurrencyError`, unless the same event ids
 *   are already stored at exactly those seqs (a re-sent append), which returns
 *   `{ duplicate: true }` and stores nothing. Events are redacted and size-checked before
 *   anything is written (`PayloadTooLargeError`).
 * - Reads validate: a gap, a duplicate seq, an unparsable payload or a future event version
 *   throws (`CorruptLogError`, `UnsupportedVersionError`) naming the run and seq.
 * - Leases: `acquireLease` throws `RunBusyError` while another owner's lease is live; an
 *   expired lease is taken over with a higher epoch. `renewLease` and an append with
 *   `{ lease }` throw `LeaseLostError` once the lease is no longer current. An append that
 *   moves the run to an ended status (completed, failed, cancelled, expired) frees the lease
 *   in the same write: nothing can drive an ended run, so its driver skips the release.
 *   `acquireLease` on an ended run throws `RunEndedError` and `claimNext` never picks one (even
 *   when its `statuses` name an ended status): an ended run never keeps an owner.
 * - Input is checked before anything is read or written: a run id that is empty, too long,
 *   holds control characters or a lone UTF-16 surrogate throws `InvalidRunIdError` on every
 *   call; `listRuns` with a limit that is not an integer >= 1, or an empty or unknown status
 *   list, or a metadata filter that is not valid run metadata, throws `InvalidInputError`
 *   (`invalid_list_query`); a `run.started` whose `metadata` is not valid run metadata throws
 *   `InvalidRunMetadataError` (`invalid_run_metadata`); one event id twice in one append
 *   throws `InvalidInputError` (`duplicate_event_id`). `append(runId, 0, ...)` for a run that
 *   exists throws `RunIdTakenError` (a non-retryable `ConcurrencyError`), unless it is a
 *   re-sent append (duplicate).
 * - Failures of the database are `StoreError`s from every call, never a driver's own error;
 *   `retryable` says whether the same call may succeed later (a lost connection, a lock held
 *   past the busy timeout). A write that may not be durable (the SQLite file vanished while
 *   open) is never reported as done.
 */
export interface Store {
  /**
   * The redactor this store applies before anything is written, if any. Writers that fold
   * events before appending them (the engine) apply it first, so the state they keep and the
   * snapshots they save are exactly the fold of what is stored — never the secret.
   */
  readonly redactor?: Redactor;
  append(
    runId: string,
    expectedSeq: number,
    events: NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  /** Streams a run's events in seq order, page by page; never loads the whole run at once. */
  readEvents(runId: string, options?: ReadOptions): AsyncIterable<StoredEvent>;
  /** Saves a snapshot and deletes all but the newest SNAPSHOTS_KEPT of the run's fold version. */
  saveSnapshot(snapshot: Snapshot): Promise<void>;
  /** The newest snapshot of the run taken by `foldVersion` (at or below `maxSeq`). */
  loadSnapshot(runId: string, foldVersion: number, maxSeq?: number): Promise<Snapshot | undefined>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  listRuns(query?: ListRunsQuery): Promise<RunPage>;
  /**
   * How many runs are in each status (statuses with none are absent), e.g. for a queue-depth
   * metric. Optional: a worker without it reports no queue depth.
   */
  countRunsByStatus?(): Promise<Partial<Record<RunStatus, number>>>;
  acquireLease(runId: string, request: LeaseRequest): Promise<Lease>;
  renewLease(lease: Lease, request: Omit<LeaseRequest, 'owner'>): Promise<Lease>;
  /** Releases the lease if still held; a lease already lost is a no-op. */
  releaseLease(lease: Lease): Promise<void>;
  /** Atomically leases the next claimable run (see `ClaimRequest`), or returns undefined when there is none. */
  claimNext(request: ClaimRequest): Promise<Lease | undefined>;
  /** Deletes whole runs (events, snapshots, projection): the only deletion there is. */
  purgeRun(runId: string): Promise<void>;
  close(): Promise<void>;
}
