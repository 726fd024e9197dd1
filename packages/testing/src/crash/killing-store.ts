import { writeSync } from 'node:fs';
import type {
  AppendOptions,
  AppendResult,
  ClaimRequest,
  Lease,
  LeaseRequest,
  ListRunsQuery,
  NewEvent,
  ReadOptions,
  RunPage,
  RunRecord,
  Snapshot,
  StoredEvent,
  Store,
} from '@kestrion/core';

export interface KillPoints {
  /** SIGKILL once the append that makes this seq durable has resolved. */
  killAfterSeq?: number;
  /** SIGSTOP there instead (after printing `stopping <seq>`): a paused, later zombie, worker. */
  stopAfterSeq?: number;
  /** Runs after every resolved append (e.g. to print the seq for the parent). */
  onAppended?: (result: AppendResult) => void;
}

/**
 * A Store decorator for crash tests: once an append that makes the chosen event durable has
 * resolved, the process signals itself, before the engine sees the result.
 */
export class KillingStore implements Store {
  constructor(
    private readonly inner: Store,
    private readonly points: KillPoints = {},
  ) {}

  async append(
    runId: string,
    expectedSeq: number,
    events: NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    const result = await this.inner.append(runId, expectedSeq, events, options);
    const { killAfterSeq, stopAfterSeq, onAppended } = this.points;
    onAppended?.(result);
    const crossed = (k: number | undefined) => k !== undefined && expectedSeq < k && result.headSeq >= k;
    if (crossed(killAfterSeq)) process.kill(process.pid, 'SIGKILL');
    if (crossed(stopAfterSeq)) {
      writeSync(1, `stopping ${result.headSeq}\n`);
      process.kill(process.pid, 'SIGSTOP');
    }
    return result;
  }

  readEvents(runId: string, options?: ReadOptions): AsyncIterable<StoredEvent> {
    return this.inner.readEvents(runId, options);
  }
  saveSnapshot(snapshot: Snapshot): Promise<void> {
    return this.inner.saveSnapshot(snapshot);
  }
  loadSnapshot(runId: string, foldVersion: number, maxSeq?: number): Promise<Snapshot | undefined> {
    return this.inner.loadSnapshot(runId, foldVersion, maxSeq);
  }
  getRun(runId: string): Promise<RunRecord | undefined> {
    return this.inner.getRun(runId);
  }
  listRuns(query?: ListRunsQuery): Promise<RunPage> {
    return this.inner.listRuns(query);
  }
  acquireLease(runId: string, request: LeaseRequest): Promise<Lease> {
    return this.inner.acquireLease(runId, request);
  }
  renewLease(lease: Lease, request: Omit<LeaseRequest, 'owner'>): Promise<Lease> {
    return this.inner.renewLease(lease, request);
  }
  releaseLease(lease: Lease): Promise<void> {
    return this.inner.releaseLease(lease);
  }
  claimNext(request: ClaimRequest): Promise<Lease | undefined> {
    return this.inner.claimNext(request);
  }
  purgeRun(runId: string): Promise<void> {
    return this.inner.purgeRun(runId);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
