import type { QuotaStore } from '@kestrion/core';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Queue depth by run status, counted by the store when Prometheus scrapes. */
export type QueueDepth = () => Promise<Readonly<Record<string, number>>>;

/**
 * The worker's Prometheus metrics, in a registry of their own (a service embedding a worker
 * merges it into its registry with `Registry.merge`, or serves it beside its own). Names
 * follow Prometheus conventions: `_total` counters, `_seconds` histograms, base units.
 */
export class WorkerMetrics {
  readonly registry: Registry;
  readonly active: Gauge;
  readonly slots: Gauge;
  readonly claims: Counter;
  readonly claimErrors: Counter;
  readonly driven: Counter<'outcome'>;
  readonly driveSeconds: Histogram;
  readonly claimLatency: Histogram<'kind'>;
  readonly quotaWaits: Counter<'bucket'>;
  readonly providerErrors: Counter<'code'>;
  private queueDepth: QueueDepth | undefined;
  private quota: QuotaStore | undefined;
  private readonly buckets = new Set<string>();
  private quotaNow: () => number = Date.now;

  constructor(options: { registry?: Registry; queueDepth?: QueueDepth } = {}) {
    const registers = [(this.registry = options.registry ?? new Registry())];
    this.active = new Gauge({
      name: 'kestrion_worker_active_runs',
      help: 'Runs this worker is driving now.',
      registers,
    });
    this.slots = new Gauge({
      name: 'kestrion_worker_slots',
      help: 'Runs this worker drives at most at once.',
      registers,
    });
    this.claims = new Counter({
      name: 'kestrion_worker_claims_total',
      help: 'Runs claimed from the store.',
      registers,
    });
    this.claimErrors = new Counter({
      name: 'kestrion_worker_claim_errors_total',
      help: 'Claims that failed (the store unreachable, a lock timeout).',
      registers,
    });
    this.driven = new Counter({
      name: 'kestrion_worker_runs_driven_total',
      help: 'Drives finished, by the status the run was left in (error: the drive threw and the lease was left to lapse).',
      labelNames: ['outcome'],
      registers,
    });
    this.driveSeconds = new Histogram({
      name: 'kestrion_worker_drive_seconds',
      help: 'Time from claim to the run ending, parking or being handed back.',
      buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    this.claimLatency = new Histogram({
      name: 'kestrion_worker_claim_latency_seconds',
      help: 'Time from the run becoming claimable (its last append: submitted, decided, input; or the time a quota throttle or an approval deadline came due) to a worker claiming it. kind=resumed is approval-to-resumed (and quota-wait-over to resumed).',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60],
      registers,
    });
    this.quotaWaits = new Counter({
      name: 'kestrion_worker_quota_waits_total',
      help: 'Runs this worker parked because a provider quota bucket was full (waiting_for_quota).',
      labelNames: ['bucket'],
      registers,
    });
    this.providerErrors = new Counter({
      name: 'kestrion_provider_errors_total',
      help: 'Model calls that failed in runs this worker drove (llm.failed), by error code (quota_exhausted: a full shared quota).',
      labelNames: ['code'],
      registers,
    });
    this.queueDepth = options.queueDepth;
    const queueDepth = () => this.queueDepth;
    const quotaSource = () => ({ quota: this.quota, buckets: this.buckets, now: this.quotaNow() });
    new Gauge({
      name: 'kestrion_queue_depth',
      help: 'Runs in the store by status (counted at scrape time).',
      labelNames: ['status'],
      registers,
      async collect() {
        const count = queueDepth();
        if (!count) return;
        this.reset();
        for (const [status, n] of Object.entries(await count())) this.set({ status }, n);
      },
    });
    new Gauge({
      name: 'kestrion_quota_usage',
      help: 'A shared provider quota bucket now, read from the store at scrape time: requests and tokens counted in its window, calls in flight, seconds until a 429 pause ends.',
      labelNames: ['bucket', 'measure'],
      registers,
      async collect() {
        const { quota, buckets, now } = quotaSource();
        if (!quota) return;
        for (const bucket of buckets) {
          const u = await quota.usage(bucket, now);
          this.set({ bucket, measure: 'requests' }, u.requests);
          this.set({ bucket, measure: 'tokens' }, u.tokens);
          this.set({ bucket, measure: 'in_flight' }, u.inFlight);
          this.set(
            { bucket, measure: 'paused_seconds' },
            Math.max(0, ((u.pausedUntilMs ?? now) - now) / 1000),
          );
        }
      },
    });
  }

  /** Where `kestrion_queue_depth` is counted (the worker sets its store's count, when it has one). */
  countQueueWith(queueDepth: QueueDepth): void {
    this.queueDepth ??= queueDepth;
  }

  /** Reports the usage of these quota buckets (and of any bucket a run is later throttled on). */
  watchQuota(quota: QuotaStore, buckets: Iterable<string> = [], now: () => number = Date.now): void {
    this.quota = quota;
    this.quotaNow = now;
    for (const b of buckets) this.buckets.add(b);
  }

  /** A bucket a run was throttled on: reported from now on when a quota store is watched. */
  sawBucket(bucket: string): void {
    this.buckets.add(bucket);
  }

  /** The Prometheus text exposition of every metric in the registry. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
