import '../util/async-dispose';
import { ConcurrencyError, LeaseLostError, RunBusyError, RunEndedError, RunNotFoundError } from '../errors';
import { isTerminal, type RunStatus } from '../state/run-state';
import type { NewEvent, RawEventRow, StoredEvent } from '../events/envelope';
import { defaultEventRegistry } from '../events/event-registry';
import {
  type CodecOptions,
  assertValidRunId,
  DEFAULT_MAX_EVENT_BYTES,
  EventDecoder,
  encodeEvents,
  type Redactor,
} from './event-codec';
import { decodeRunCursor, encodeRunCursor, isAfterCursor } from './run-cursor';
import { assertDistinctEventIds, assertValidListQuery } from './store-input-checks';
import { projectRunRecord } from './run-projection';
import { matchesRunMetadata } from './run-metadata';
import { decideAppend, isSameEvents, resendSpan } from './append-precedence';
import type {
  AppendOptions,
  AppendResult,
  ClaimRequest,
  Lease,
  LeaseRequest,
  ListRunsQuery,
  ReadOptions,
  RunPage,
  RunRecord,
  Snapshot,
  Store,
} from './store';
import type { EventRegistry } from '../events/event-registry';
import { SNAPSHOTS_KEPT } from './store';

export interface InMemoryStoreOptions {
  registry?: EventRegistry;
  maxEventBytes?: number;
  redact?: Redactor;
}

/**
 * A Store in process memory: the fake that ships beside the port. It keeps rows serialized,
 * like a database, and passes the same contract suite as the real stores.
 */
export class InMemoryStore implements Store {
  private readonly rows = new Map<string, RawEventRow[]>();
  private readonly runs = new Map<string, RunRecord>();
  private readonly eventIds = new Map<string, Set<string>>();
  private readonly snapshots = new Map<string, Array<{ seq: number; foldVersion: number; json: string }>>();
  private readonly codec: CodecOptions;

  constructor(options: InMemoryStoreOptions = {}) {
    this.codec = {
      registry: options.registry ?? defaultEventRegistry(),
      maxEventBytes: options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
      ...(options.redact ? { redact: options.redact } : {}),
    };
  }

  get redactor(): Redactor | undefined {
    return this.codec.redact;
  }

  async append(
    runId: string,
    expectedSeq: number,
    events: NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    const encoded = encodeEvents(runId, expectedSeq, events, this.codec);
    // As the SQL stores' (run, event id) key: one id twice in a batch is refused, nothing written.
    assertDistinctEventIds(
      runId,
      encoded.map((r) => r.id),
    );
    const rows = this.rows.get(runId) ?? [];
    const prev = this.runs.get(runId);
    const head = rows.length;
    // The precedence every store shares: re-send, lease fence, head, empty append.
    const span = resendSpan(encoded, expectedSeq, prev?.headSeq);
    const verdict = decideAppend({
      runId,
      expectedSeq,
      count: encoded.length,
      lease: options.lease,
      current: prev,
      resent:
        span !== undefined &&
        isSameEvents(
          encoded,
          rows.slice(span[0] - 1, span[1]).map((r) => r.id),
        ),
    });
    if (verdict.kind === 'duplicate')
      return { headSeq: head, events: decodeAll(runId, encoded, this.codec.registry), duplicate: true };
    if (verdict.kind === 'empty') return { headSeq: head, events: [], duplicate: false };
    const ids = this.eventIds.get(runId) ?? new Set<string>();
    if (encoded.some((r) => ids.has(r.id))) throw new ConcurrencyError(runId, expectedSeq, head);
    const stored = decodeAll(runId, encoded, this.codec.registry);
    // In place: copying the run's rows on every append would make a long run quadratic.
    for (const r of encoded) {
      rows.push(r);
      ids.add(r.id);
    }
    this.rows.set(runId, rows);
    this.eventIds.set(runId, ids);
    this.runs.set(runId, projectRunRecord(prev, stored));
    return { headSeq: head + encoded.length, events: stored, duplicate: false };
  }

  async *readEvents(runId: string, options: ReadOptions = {}): AsyncIterable<StoredEvent> {
    assertValidRunId(runId);
    const from = options.fromSeq ?? 1;
    const decoder = new EventDecoder(runId, from, this.codec.registry);
    for (const row of (this.rows.get(runId) ?? []).slice(from - 1)) yield decoder.decode(row);
  }

  async saveSnapshot(s: Snapshot): Promise<void> {
    assertValidRunId(s.runId);
    const kept = (this.snapshots.get(s.runId) ?? []).filter(
      (x) => !(x.foldVersion === s.foldVersion && x.seq === s.seq),
    );
    kept.push({ seq: s.seq, foldVersion: s.foldVersion, json: JSON.stringify(s) });
    kept.sort((x, y) => y.seq - x.seq);
    // Retention: the newest SNAPSHOTS_KEPT per fold version; older ones are a cache nobody reads.
    const perVersion = new Map<number, number>();
    this.snapshots.set(
      s.runId,
      kept.filter((x) => {
        const n = (perVersion.get(x.foldVersion) ?? 0) + 1;
        perVersion.set(x.foldVersion, n);
        return n <= SNAPSHOTS_KEPT;
      }),
    );
  }

  async loadSnapshot(
    runId: string,
    foldVersion: number,
    maxSeq = Number.MAX_SAFE_INTEGER,
  ): Promise<Snapshot | undefined> {
    assertValidRunId(runId);
    const hit = (this.snapshots.get(runId) ?? []).find(
      (x) => x.foldVersion === foldVersion && x.seq <= maxSeq,
    );
    return hit && (JSON.parse(hit.json) as Snapshot);
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    assertValidRunId(runId);
    const r = this.runs.get(runId);
    return r && copyRecord(r);
  }

  async countRunsByStatus(): Promise<Partial<Record<RunStatus, number>>> {
    const counts: Partial<Record<RunStatus, number>> = {};
    for (const r of this.runs.values()) counts[r.status] = (counts[r.status] ?? 0) + 1;
    return counts;
  }

  async listRuns(q: ListRunsQuery = {}): Promise<RunPage> {
    assertValidListQuery(q);
    if (q.parentRunId !== undefined) assertValidRunId(q.parentRunId);
    const statuses = q.status === undefined ? undefined : ([] as string[]).concat(q.status);
    const cursor = q.cursor === undefined ? undefined : decodeRunCursor(q.cursor);
    const limit = q.limit ?? 50;
    const matches = [...this.runs.values()]
      .filter((r) => !statuses || statuses.includes(r.status))
      .filter((r) => q.agent === undefined || r.agent === q.agent)
      .filter((r) => q.parentRunId === undefined || r.parentRunId === q.parentRunId)
      .filter((r) => !q.waitingApprovals || r.pendingApprovals > 0)
      .filter((r) => !q.metadata || matchesRunMetadata(r.metadata, q.metadata))
      .filter((r) => !cursor || isAfterCursor(r, cursor))
      .sort((a, b) =>
        a.createdAt === b.createdAt ? (a.runId < b.runId ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1,
      );
    const runs = matches.slice(0, limit).map(copyRecord);
    const last = runs[runs.length - 1];
    return matches.length > limit && last ? { runs, nextCursor: encodeRunCursor(last) } : { runs };
  }

  async acquireLease(runId: string, req: LeaseRequest): Promise<Lease> {
    assertValidRunId(runId);
    const r = this.runs.get(runId);
    if (!r) throw new RunNotFoundError(runId);
    if (isTerminal(r.status)) throw new RunEndedError(runId, r.status);
    if (r.leaseOwner !== null && r.leaseOwner !== req.owner && (r.leaseExpiresAtMs ?? 0) > req.now)
      throw new RunBusyError(runId, r.leaseOwner, r.leaseExpiresAtMs ?? 0);
    return this.grant(r, req);
  }

  async renewLease(lease: Lease, req: Omit<LeaseRequest, 'owner'>): Promise<Lease> {
    assertValidRunId(lease.runId);
    const r = this.runs.get(lease.runId);
    checkLease(r, lease);
    const expiresAtMs = req.now + req.ttlMs;
    (r as RunRecord).leaseExpiresAtMs = expiresAtMs;
    return { ...lease, expiresAtMs };
  }

  async releaseLease(lease: Lease): Promise<void> {
    assertValidRunId(lease.runId);
    const r = this.runs.get(lease.runId);
    if (r && r.leaseOwner === lease.owner && r.leaseEpoch === lease.epoch) {
      r.leaseOwner = null;
      r.leaseExpiresAtMs = null;
    }
  }

  async claimNext(req: ClaimRequest): Promise<Lease | undefined> {
    // An ended run is never leased, even when asked for (see acquireLease).
    const statuses = req.statuses?.filter((x) => !isTerminal(x));
    const agents = req.agents;
    if (statuses?.length === 0 || agents?.length === 0) return undefined;
    const now = req.now;
    const live = (r: RunRecord) => r.leaseOwner !== null && (r.leaseExpiresAtMs ?? 0) > now;
    const limit = req.concurrencyKeyLimit;
    const activeByKey = new Map<string, number>();
    if (limit !== undefined)
      for (const r of this.runs.values())
        if (r.concurrencyKey !== null && live(r))
          activeByKey.set(r.concurrencyKey, (activeByKey.get(r.concurrencyKey) ?? 0) + 1);
    const candidates = [...this.runs.values()]
      .filter(
        (r) =>
          !isTerminal(r.status) &&
          (statuses === undefined || statuses.includes(r.status)) &&
          (agents === undefined || agents.includes(r.agent)) &&
          !live(r) &&
          (r.runnable || (r.nextDueAtMs !== null && r.nextDueAtMs <= now)) &&
          (limit === undefined ||
            r.concurrencyKey === null ||
            (activeByKey.get(r.concurrencyKey) ?? 0) < limit),
      )
      .sort(claimOrder);
    const r = candidates[0];
    return r && this.grant(r, req);
  }

  async purgeRun(runId: string): Promise<void> {
    assertValidRunId(runId);
    this.rows.delete(runId);
    this.eventIds.delete(runId);
    this.runs.delete(runId);
    this.snapshots.delete(runId);
  }

  async close(): Promise<void> {}

  /** `await using store = new InMemoryStore()`: the same as `close()` (which keeps nothing open). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private grant(r: RunRecord, req: LeaseRequest): Lease {
    r.leaseOwner = req.owner;
    r.leaseEpoch += 1;
    r.leaseExpiresAtMs = req.now + req.ttlMs;
    return {
      runId: r.runId,
      owner: req.owner,
      epoch: r.leaseEpoch,
      expiresAtMs: r.leaseExpiresAtMs,
      headSeq: r.headSeq,
      runCreatedAt: r.createdAt,
    };
  }
}

function checkLease(r: RunRecord | undefined, lease: Lease): void {
  if (!r || r.leaseOwner !== lease.owner || r.leaseEpoch !== lease.epoch)
    throw new LeaseLostError(
      lease.runId,
      `held by ${r?.leaseOwner ?? 'nobody'} at epoch ${r?.leaseEpoch ?? 0}, not ${lease.owner} at epoch ${lease.epoch}`,
    );
}

/** Claims take the highest priority first, then the run that has waited longest. */
function claimOrder(a: RunRecord, b: RunRecord): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : 0;
}

/** A row for a caller: nothing it holds is shared with the store's own rows. */
function copyRecord(r: RunRecord): RunRecord {
  return { ...r, approvalDeadlines: { ...r.approvalDeadlines }, metadata: { ...r.metadata } };
}

function decodeAll(runId: string, rows: RawEventRow[], registry: EventRegistry): StoredEvent[] {
  const first = rows[0];
  if (!first) return [];
  const decoder = new EventDecoder(runId, first.seq, registry);
  return rows.map((r) => decoder.decode(r));
}
