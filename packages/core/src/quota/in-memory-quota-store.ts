import {
  QUOTA_DEFAULT_HOLD_MS,
  type QuotaDenial,
  type QuotaGrant,
  type QuotaLimits,
  type QuotaRequest,
  type QuotaStore,
  type QuotaUsage,
} from './quota-store';
import {
  assertReservable,
  isCounted,
  quotaDenial,
  quotaRefusals,
  quotaTotals,
  type QuotaEntry,
} from './quota-window';

interface Bucket {
  entries: Map<string, QuotaEntry>;
  pausedUntilMs: number | null;
}

/**
 * The QuotaStore of one process, in memory: every caller of this object shares its buckets,
 * other processes do not. Each method runs synchronously to its end, so a reservation's check
 * and insert are one step. For tests, demos and single-process workers; several processes
 * share a quota through the store packages' implementations.
 */
export class InMemoryQuotaStore implements QuotaStore {
  private readonly buckets = new Map<string, Bucket>();

  async reserve(
    bucket: string,
    limits: QuotaLimits,
    request: QuotaRequest,
  ): Promise<QuotaGrant | QuotaDenial> {
    assertReservable(bucket, limits, request.tokens);
    const b = this.bucket(bucket);
    const { id, tokens, now } = request;
    for (const [key, e] of b.entries) if (!isCounted(e, now)) b.entries.delete(key);
    if (b.entries.has(id)) return { granted: true, id };
    const entries = [...b.entries.values()];
    const refusals = quotaRefusals(limits, quotaTotals(entries, now), b.pausedUntilMs, request);
    if (refusals.length > 0) return quotaDenial(limits, refusals, entries, b.pausedUntilMs, request);
    b.entries.set(id, {
      tokens,
      settledAtMs: null,
      expiresAtMs: now + (request.holdMs ?? QUOTA_DEFAULT_HOLD_MS),
    });
    return { granted: true, id };
  }

  async settle(bucket: string, id: string, outcome: { tokens: number; now: number }): Promise<void> {
    const b = this.bucket(bucket);
    const settledAtMs = Math.max(outcome.now, b.entries.get(id)?.settledAtMs ?? outcome.now);
    b.entries.set(id, { tokens: outcome.tokens, settledAtMs, expiresAtMs: settledAtMs });
  }

  async release(bucket: string, id: string, _now: number): Promise<void> {
    const b = this.buckets.get(bucket);
    if (b?.entries.get(id)?.settledAtMs === null) b.entries.delete(id);
  }

  async pause(bucket: string, untilMs: number): Promise<void> {
    const b = this.bucket(bucket);
    b.pausedUntilMs = Math.max(untilMs, b.pausedUntilMs ?? untilMs);
  }

  async usage(bucket: string, now: number): Promise<QuotaUsage> {
    const b = this.buckets.get(bucket);
    const totals = quotaTotals(b?.entries.values() ?? [], now);
    const paused = b?.pausedUntilMs ?? null;
    return { ...totals, pausedUntilMs: paused !== null && now < paused ? paused : null };
  }

  private bucket(name: string): Bucket {
    let b = this.buckets.get(name);
    if (b === undefined) this.buckets.set(name, (b = { entries: new Map(), pausedUntilMs: null }));
    return b;
  }
}
