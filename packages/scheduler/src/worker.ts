import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import {
  ConfigurationError,
  type Engine,
  type ErrorInfo,
  type Lease,
  type QuotaStore,
  type RunObserver,
  type RunRecord,
  type RunView,
} from '@kestrion/core';
import { IdleWait } from './idle-wait';
import type { RunnableWakeups } from './runnable-wakeups';
import { type WorkerAgent, type WorkerEngines, resolveEngines } from './worker-agents';
import { WorkerMetrics } from './worker-metrics';

/** Most claims one worker has in flight at once (see `loop`). */
const MAX_PARALLEL_CLAIMS = 8;

export interface WorkerOptions {
  /** The agents (or engines) this worker drives; they must share one store. */
  agents: readonly WorkerAgent[];
  /** Runs driven at once in this process (default 16). No thread per run: each is a promise. */
  concurrency?: number;
  /**
   * At most this many runs with one `concurrencyKey` (`submit(input, { concurrencyKey })`)
   * driven at once, counted across every worker of the store (e.g. 1: one run per customer at
   * a time). Absent: no per-key limit. Give every worker of a store the same value.
   */
  concurrencyKeyLimit?: number;
  /** The lease owner this worker claims as (default `host:pid:random`). */
  owner?: string;
  /** Idle polling: from `minMs` (default 25) doubling to `maxMs` (default 1,000) while no run is found. */
  idlePoll?: { minMs?: number; maxMs?: number };
  /** How long `stop()` waits for the steps in flight (default 30,000 ms). */
  shutdownGraceMs?: number;
  /** Hints that a run became runnable (PostgreSQL LISTEN/NOTIFY): idle workers claim at once. */
  wakeups?: RunnableWakeups;
  /** Metrics to record into (default: a registry of the worker's own; `worker.metrics`). */
  metrics?: WorkerMetrics;
  /**
   * The shared quota store the agents' providers use (`withQuota`), and the buckets
   * (`provider:model`) to report in `kestrion_quota_usage`; a bucket a run is throttled on is
   * added on its own.
   */
  quota?: { store: QuotaStore; buckets?: string[] };
  /** Told about every failed claim and drive (the run's lease is left to lapse; it is retried after its TTL). */
  onError?: (error: unknown, runId?: string) => void;
  /** Epoch ms (default `Date.now`); the engines keep their own clocks for the runs. */
  now?: () => number;
}

/** What `stop()` did. */
export interface WorkerStopReport {
  /** Drives that stopped within the grace period (their runs ended, parked or were handed back). */
  settled: number;
  /** Runs still being driven when the grace period ran out: their leases lapse when the process exits. */
  abandoned: string[];
}

export type WorkerState = 'new' | 'running' | 'stopping' | 'stopped';

/**
 * Drives runs from the store: claims runnable runs of its agents (`Store.claimNext`: new,
 * decided, or whose driver's lease expired) and drives up to `concurrency` of them at once,
 * each with `Engine.drive(lease)`. Any number of workers in any number of processes may share
 * a store: a lease is taken atomically, so no run is driven by two at once.
 *
 * `stop()` is the graceful shutdown: no new claims; every run in flight finishes the step it is
 * in, commits it, and hands its lease back (`stopBetweenSteps`), so another worker continues
 * it at once; what is still running after the grace period is reported, and its lease lapses.
 */
export class Worker {
  readonly metrics: WorkerMetrics;
  readonly owner: string;
  private readonly concurrency: number;
  private readonly idle: IdleWait;
  private readonly graceMs: number;
  private readonly now: () => number;
  private engines: WorkerEngines | undefined;
  private readonly drives = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();
  private loopDone: Promise<void> | undefined;
  private unsubscribe: (() => Promise<void>) | undefined;
  private status: WorkerState = 'new';
  private claimStartedAt: number | undefined;
  private lastClaimOk = false;
  private readonly observer: RunObserver;

  constructor(private readonly options: WorkerOptions) {
    const concurrency = options.concurrency ?? 16;
    if (!Number.isSafeInteger(concurrency) || concurrency < 1)
      throw new ConfigurationError(`Worker concurrency must be an integer >= 1 (got ${String(concurrency)})`);
    const minMs = options.idlePoll?.minMs ?? 25;
    const maxMs = options.idlePoll?.maxMs ?? 1_000;
    if (!(minMs > 0 && maxMs >= minMs))
      throw new ConfigurationError(`Worker idlePoll needs 0 < minMs <= maxMs (got ${minMs} and ${maxMs})`);
    const keyLimit = options.concurrencyKeyLimit;
    if (keyLimit !== undefined && !(Number.isSafeInteger(keyLimit) && keyLimit >= 1))
      throw new ConfigurationError(
        `Worker concurrencyKeyLimit must be an integer >= 1 (got ${String(keyLimit)})`,
      );
    this.concurrency = concurrency;
    this.idle = new IdleWait(minMs, maxMs);
    this.graceMs = options.shutdownGraceMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.owner = options.owner ?? `${hostname()}:${process.pid}:worker-${randomUUID().slice(0, 8)}`;
    this.metrics = options.metrics ?? new WorkerMetrics();
    this.metrics.slots.set(concurrency);
    if (options.quota) this.metrics.watchQuota(options.quota.store, options.quota.buckets, this.now);
    // Provider errors of the runs this worker drives, from the events as they commit.
    const providerErrors = this.metrics.providerErrors;
    this.observer = {
      onEvents(events) {
        for (const e of events)
          if (e.type === 'llm.failed')
            providerErrors.inc({ code: (e.data as { error: ErrorInfo }).error.code });
      },
    };
  }

  get state(): WorkerState {
    return this.status;
  }

  /** Runs being driven now. */
  get activeRuns(): string[] {
    return [...this.drives.keys()];
  }

  /**
   * Readiness (Kubernetes `/readyz`): claiming, and the last claim reached the store.
   * Liveness (`/healthz`): not stopped, and no claim has hung longer than `hungClaimMs` — a
   * worker whose slots are all busy with long runs is alive, so busy is never "not live".
   */
  health(hungClaimMs = 60_000): { live: boolean; ready: boolean; active: number; state: WorkerState } {
    const hung = this.claimStartedAt !== undefined && this.now() - this.claimStartedAt > hungClaimMs;
    return {
      live: this.status !== 'stopped' && !hung,
      ready: this.status === 'running' && this.lastClaimOk,
      active: this.drives.size,
      state: this.status,
    };
  }

  /** Opens the agents' engines and starts claiming. Resolves once the worker is running. */
  async start(): Promise<void> {
    if (this.status !== 'new')
      throw new ConfigurationError(`this Worker was started already (it is ${this.status})`);
    this.status = 'running';
    try {
      this.engines = await resolveEngines(this.options.agents);
      const store = this.engines.store;
      if (store.countRunsByStatus) this.metrics.countQueueWith(() => store.countRunsByStatus!());
      if (this.options.wakeups)
        this.unsubscribe = await this.options.wakeups.subscribe(() => this.idle.notify());
    } catch (error) {
      this.status = 'stopped';
      throw error;
    }
    this.loopDone = this.loop();
  }

  /**
   * Graceful shutdown: stops claiming, lets every run in flight finish its current step and
   * hand its lease back, and waits at most `graceMs` for that.
   */
  async stop(graceMs = this.graceMs): Promise<WorkerStopReport> {
    if (this.status === 'new') {
      this.status = 'stopped';
      return { settled: 0, abandoned: [] };
    }
    if (this.status === 'stopped') return { settled: 0, abandoned: [] };
    this.status = 'stopping';
    this.stopping.abort();
    this.idle.notify();
    const inFlight = [...this.drives.values()];
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace'>(
      (resolve) => (timer = setTimeout(() => resolve('grace'), graceMs)),
    );
    await Promise.race([Promise.allSettled(inFlight), graceOver]);
    clearTimeout(timer);
    const abandoned = [...this.drives.keys()];
    await Promise.race([this.loopDone, graceOver.then(() => undefined)]);
    await this.unsubscribe?.().catch((error: unknown) => this.options.onError?.(error));
    this.status = 'stopped';
    return { settled: inFlight.length - abandoned.length, abandoned };
  }

  private async loop(): Promise<void> {
    const engines = this.engines as WorkerEngines;
    // Claims in flight at once: 1 while the queue runs dry, doubling (up to MAX_PARALLEL_CLAIMS)
    // while every claim finds a run, so a worker with many free slots fills them at the pace of
    // the store, not of one claim round trip after another.
    let width = 1;
    while (this.status === 'running') {
      const free = this.concurrency - this.drives.size;
      if (free <= 0) {
        await this.idle.wait(); // a drive finishing notifies
        continue;
      }
      const claims = await Promise.all(
        Array.from({ length: Math.min(free, width) }, () => this.claim(engines)),
      );
      const leases = claims.filter((c): c is Lease => c !== undefined && c !== 'failed');
      if (this.status !== 'running') {
        // stop() came while these claims were on their way back: hand the runs straight back
        // (stop waits for this loop), or they would wait out their leases once the process exits.
        for (const lease of leases)
          await engines.store
            .releaseLease(lease)
            .catch((error: unknown) => this.options.onError?.(error, lease.runId));
        break;
      }
      width = leases.length === claims.length ? Math.min(MAX_PARALLEL_CLAIMS, width * 2) : 1;
      if (leases.length === 0) {
        await this.idle.wait();
        continue;
      }
      this.idle.reset();
      for (const lease of leases) this.launch(engines, lease);
    }
  }

  private async claim(engines: WorkerEngines): Promise<Lease | undefined | 'failed'> {
    this.claimStartedAt = this.now();
    try {
      const lease = await engines.store.claimNext({
        owner: this.owner,
        ttlMs: engines.leaseTtlMs,
        now: this.now(),
        agents: engines.names,
        ...(this.options.concurrencyKeyLimit !== undefined
          ? { concurrencyKeyLimit: this.options.concurrencyKeyLimit }
          : {}),
      });
      this.lastClaimOk = true;
      if (lease) this.metrics.claims.inc();
      return lease;
    } catch (error) {
      this.lastClaimOk = false;
      this.metrics.claimErrors.inc();
      this.options.onError?.(error);
      return 'failed';
    } finally {
      this.claimStartedAt = undefined;
    }
  }

  private launch(engines: WorkerEngines, lease: Lease): void {
    const claimedAt = this.now();
    const stopTimer = this.metrics.driveSeconds.startTimer();
    this.metrics.active.set(this.drives.size + 1);
    const drive = this.driveClaimed(engines, lease, claimedAt)
      .then((view) => {
        // Throttled by a full provider quota: the run holds nothing until the bucket has room.
        if (view.throttled) {
          this.metrics.quotaWaits.inc({ bucket: view.throttled.bucket });
          this.metrics.sawBucket(view.throttled.bucket);
        }
        this.metrics.driven.inc({ outcome: view.throttled ? 'waiting_for_quota' : view.status });
      })
      .catch((error: unknown) => {
        this.metrics.driven.inc({ outcome: 'error' });
        this.options.onError?.(error, lease.runId);
      })
      .finally(() => {
        stopTimer();
        this.drives.delete(lease.runId);
        this.metrics.active.set(this.drives.size);
        // A free slot: claim again now rather than at the end of an idle wait.
        this.idle.notify();
      });
    this.drives.set(lease.runId, drive);
  }

  private async driveClaimed(engines: WorkerEngines, lease: Lease, claimedAt: number): Promise<RunView> {
    let engine: Engine | undefined =
      engines.names.length === 1 ? engines.byAgent.get(engines.names[0] as string) : undefined;
    // The claim says which run, not whose: with several agents, the runs row tells (and when
    // the run became runnable, for the latency histogram).
    const record = await engines.store.getRun(lease.runId);
    if (record) {
      engine = engines.byAgent.get(record.agent);
      const since = claimableSince(record);
      if (!Number.isNaN(since))
        this.metrics.claimLatency.observe(
          { kind: record.headSeq <= 1 ? 'new' : 'resumed' },
          Math.max(0, claimedAt - since) / 1000,
        );
    }
    if (!engine) {
      await engines.store.releaseLease(lease);
      throw new ConfigurationError(
        `claimed run ${lease.runId} belongs to no agent of this worker (${engines.names.join(', ')})`,
      );
    }
    return engine.drive(lease, this.observer, { stopBetweenSteps: this.stopping.signal });
  }
}

/**
 * When a claimed run became claimable: its last append (submitted, decided, input), or — a run
 * claimed because its time came (a quota throttle run out, an approval deadline passed), which
 * is not runnable by itself — that time. Counting from the last append would report the whole
 * quota wait (or approval deadline) as claim latency.
 */
function claimableSince(record: RunRecord): number {
  const appended = Date.parse(record.updatedAt);
  return record.runnable || record.nextDueAtMs === null ? appended : Math.max(appended, record.nextDueAtMs);
}
