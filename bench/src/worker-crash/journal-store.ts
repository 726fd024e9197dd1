import { appendFileSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
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
import type { JournalEntry } from './worker-crash-protocol';

/**
 * A Store decorator for the worker reliability trials: every lease this process was granted,
 * renewed or handed back, and every leased append that resolved, is written to the process's
 * journal (one `write(2)` per line, so it survives a SIGKILL) with the time on this process's
 * clock. The journals of all processes are read back by `readJournals` and checked by
 * `fleetProblems`. It also knows which lease epoch this process holds on each run, for the
 * node executions it records.
 */
export class JournalStore implements Store {
  private readonly epochs = new Map<string, number>();

  constructor(
    private readonly inner: Store,
    readonly path: string,
  ) {}

  get redactor() {
    return this.inner.redactor;
  }

  write(entry: JournalEntry): void {
    appendFileSync(this.path, JSON.stringify(entry) + '\n');
  }

  /** The epoch of the lease this process was last granted on the run (-1: none). */
  epochOf(runId: string): number {
    return this.epochs.get(runId) ?? -1;
  }

  async claimNext(request: ClaimRequest): Promise<Lease | undefined> {
    const lease = await this.inner.claimNext(request);
    if (lease) {
      this.epochs.set(lease.runId, lease.epoch);
      const { runId: run, owner, epoch, expiresAtMs: exp } = lease;
      this.write({ k: 'claim', run, owner, epoch, now: request.now, exp, t1: Date.now() });
    }
    return lease;
  }

  async acquireLease(runId: string, request: LeaseRequest): Promise<Lease> {
    const lease = await this.inner.acquireLease(runId, request);
    this.epochs.set(runId, lease.epoch);
    const { owner, epoch, expiresAtMs: exp } = lease;
    this.write({ k: 'claim', run: runId, owner, epoch, now: request.now, exp, t1: Date.now() });
    return lease;
  }

  async renewLease(lease: Lease, request: Omit<LeaseRequest, 'owner'>): Promise<Lease> {
    const renewed = await this.inner.renewLease(lease, request);
    this.write({
      k: 'renew',
      run: lease.runId,
      epoch: lease.epoch,
      exp: renewed.expiresAtMs,
      t1: Date.now(),
    });
    return renewed;
  }

  releaseLease(lease: Lease): Promise<void> {
    this.write({ k: 'release', run: lease.runId, epoch: lease.epoch, t0: Date.now() });
    return this.inner.releaseLease(lease);
  }

  async append(
    runId: string,
    expectedSeq: number,
    events: NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    const t0 = Date.now();
    const result = await this.inner.append(runId, expectedSeq, events, options);
    if (options?.lease && !result.duplicate)
      this.write({
        k: 'append',
        run: runId,
        epoch: options.lease.epoch,
        from: expectedSeq + 1,
        to: result.headSeq,
        t0,
        t1: Date.now(),
      });
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
  purgeRun(runId: string): Promise<void> {
    return this.inner.purgeRun(runId);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** The path of one process's journal. */
export function journalPath(dir: string, owner: string): string {
  return join(dir, `journal-${owner.replace(/[^A-Za-z0-9_.-]/g, '_')}.jsonl`);
}

/** Every line of every process's journal in `dir`. */
export function readJournals(dir: string): JournalEntry[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.startsWith('journal-') && name.endsWith('.jsonl'))
    .flatMap((name) =>
      readFileSync(join(dir, name), 'utf8')
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as JournalEntry),
    );
}

/** The entries of one kind (of one run, when given), typed. */
export function entriesOf<K extends JournalEntry['k']>(
  journal: JournalEntry[],
  k: K,
  run?: string,
): Array<Extract<JournalEntry, { k: K }>> {
  return journal.filter(
    (e): e is Extract<JournalEntry, { k: K }> => e.k === k && (run === undefined || e.run === run),
  );
}
