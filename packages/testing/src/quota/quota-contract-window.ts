import {
  ConfigurationError,
  QUOTA_CONCURRENCY_RETRY_MS,
  QUOTA_MARGIN_MS,
  QUOTA_WINDOW_MS,
  type QuotaDenial,
  type QuotaGrant,
  type QuotaLimits,
} from '@kestrion/core';
import { QUOTA_T0, type QuotaContractContext } from './quota-contract';

/** How long after it settles a reservation counts. */
const COUNTED = QUOTA_WINDOW_MS + QUOTA_MARGIN_MS;

function denied(result: QuotaGrant | QuotaDenial): QuotaDenial {
  if (result.granted) throw new Error(`expected a denial, got a grant of ${result.id}`);
  return result;
}

export function quotaAccountingContract(ctx: QuotaContractContext): void {
  const reserve = (
    bucket: string,
    limits: QuotaLimits,
    id: string,
    now: number,
    tokens = 0,
    holdMs?: number,
  ) => ctx.quota().reserve(bucket, limits, { id, tokens, now, ...(holdMs === undefined ? {} : { holdMs }) });

  describe('window accounting', () => {
    it('admits requestsPerMinute reservations and refuses the next one for requests', async () => {
      const b = ctx.bucket('rpm');
      const limits = { requestsPerMinute: 3 };
      for (const id of ['a', 'b', 'c'])
        expect(await reserve(b, limits, id, QUOTA_T0)).toEqual({ granted: true, id });
      const d = denied(await reserve(b, limits, 'd', QUOTA_T0 + 10));
      expect(d.reason).toBe('requests');
      expect(await ctx.quota().usage(b, QUOTA_T0 + 10)).toEqual({
        requests: 3,
        tokens: 0,
        inFlight: 3,
        pausedUntilMs: null,
      });
    });

    it('counts a settled reservation until a window after it settled, not after it was reserved', async () => {
      const b = ctx.bucket('settled');
      const limits = { requestsPerMinute: 1 };
      await reserve(b, limits, 'slow', QUOTA_T0);
      const settledAt = QUOTA_T0 + 50_000;
      await ctx.quota().settle(b, 'slow', { tokens: 5, now: settledAt });
      // A window after the reservation it still counts: the vendor may have seen it at settledAt.
      const early = denied(await reserve(b, limits, 'x', QUOTA_T0 + COUNTED + 5_000));
      expect(early).toEqual({ granted: false, reason: 'requests', retryAtMs: settledAt + COUNTED });
      expect(denied(await reserve(b, limits, 'x', settledAt + COUNTED - 1)).retryAtMs).toBe(
        settledAt + COUNTED,
      );
      expect((await ctx.quota().usage(b, settledAt + COUNTED - 1)).requests).toBe(1);
      expect((await ctx.quota().usage(b, settledAt + COUNTED)).requests).toBe(0);
      expect(await reserve(b, limits, 'x', settledAt + COUNTED)).toEqual({ granted: true, id: 'x' });
    });

    it('holds the estimate while in flight and the actual tokens once settled', async () => {
      const b = ctx.bucket('tpm');
      const limits = { tokensPerMinute: 1000 };
      await reserve(b, limits, 'a', QUOTA_T0, 600);
      expect(denied(await reserve(b, limits, 'b', QUOTA_T0 + 1, 500)).reason).toBe('tokens');
      expect((await ctx.quota().usage(b, QUOTA_T0 + 1)).tokens).toBe(600);
      await ctx.quota().settle(b, 'a', { tokens: 300, now: QUOTA_T0 + 2 });
      expect(await reserve(b, limits, 'b', QUOTA_T0 + 3, 500)).toEqual({ granted: true, id: 'b' });
      expect(await ctx.quota().usage(b, QUOTA_T0 + 3)).toEqual({
        requests: 2,
        tokens: 800,
        inFlight: 1,
        pausedUntilMs: null,
      });
      // A settle above the estimate is counted as settled (the next reservation sees it).
      await ctx.quota().settle(b, 'b', { tokens: 650, now: QUOTA_T0 + 4 });
      expect(denied(await reserve(b, limits, 'c', QUOTA_T0 + 5, 100)).reason).toBe('tokens');
    });

    it('counts concurrency by reservations in flight, and frees a slot on settle', async () => {
      const b = ctx.bucket('conc');
      const limits = { concurrentRequests: 2 };
      await reserve(b, limits, 'a', QUOTA_T0);
      await reserve(b, limits, 'b', QUOTA_T0);
      const d = denied(await reserve(b, limits, 'c', QUOTA_T0 + 7));
      expect(d).toEqual({
        granted: false,
        reason: 'concurrency',
        retryAtMs: QUOTA_T0 + 7 + QUOTA_CONCURRENCY_RETRY_MS,
      });
      await ctx.quota().settle(b, 'a', { tokens: 1, now: QUOTA_T0 + 8 });
      expect(await reserve(b, limits, 'c', QUOTA_T0 + 9)).toEqual({ granted: true, id: 'c' });
      expect((await ctx.quota().usage(b, QUOTA_T0 + 9)).inFlight).toBe(2);
    });

    it('keeps buckets apart', async () => {
      const [one, two] = [ctx.bucket('one'), ctx.bucket('two')];
      const limits = { requestsPerMinute: 1 };
      await reserve(one, limits, 'a', QUOTA_T0);
      expect(await reserve(two, limits, 'a', QUOTA_T0)).toEqual({ granted: true, id: 'a' });
      expect(denied(await reserve(one, limits, 'b', QUOTA_T0)).reason).toBe('requests');
    });

    it('grants an id the bucket already holds again without counting it twice', async () => {
      const b = ctx.bucket('again');
      const limits = { requestsPerMinute: 2 };
      await reserve(b, limits, 'a', QUOTA_T0, 10);
      expect(await reserve(b, limits, 'a', QUOTA_T0 + 1, 10)).toEqual({ granted: true, id: 'a' });
      expect(await ctx.quota().usage(b, QUOTA_T0 + 1)).toMatchObject({ requests: 1, tokens: 10 });
    });
  });

  describe('settle, release and abandoned reservations', () => {
    it('lets the latest settle win and records a settle of an id it does not hold', async () => {
      const b = ctx.bucket('settle');
      const limits = { requestsPerMinute: 5 };
      await reserve(b, limits, 'a', QUOTA_T0, 100);
      await ctx.quota().settle(b, 'a', { tokens: 40, now: QUOTA_T0 + 10_000 });
      await ctx.quota().settle(b, 'a', { tokens: 30, now: QUOTA_T0 + 20_000 });
      await ctx.quota().settle(b, 'a', { tokens: 30, now: QUOTA_T0 + 15_000 }); // a late duplicate
      expect(await ctx.quota().usage(b, QUOTA_T0 + 20_000 + COUNTED - 1)).toMatchObject({
        requests: 1,
        tokens: 30,
      });
      expect((await ctx.quota().usage(b, QUOTA_T0 + 20_000 + COUNTED)).requests).toBe(0);
      await ctx.quota().settle(b, 'unknown', { tokens: 7, now: QUOTA_T0 + 30_000 });
      expect(await ctx.quota().usage(b, QUOTA_T0 + 30_000)).toMatchObject({
        requests: 2,
        tokens: 37,
        inFlight: 0,
      });
      expect(await ctx.quota().usage(b, QUOTA_T0 + 30_000 + COUNTED - 1)).toMatchObject({
        requests: 1,
        tokens: 7,
      });
    });

    it('returns a released reservation entirely, and leaves a settled one counted', async () => {
      const b = ctx.bucket('release');
      const limits = { requestsPerMinute: 1, tokensPerMinute: 100, concurrentRequests: 1 };
      await reserve(b, limits, 'a', QUOTA_T0, 100);
      await ctx.quota().release(b, 'a', QUOTA_T0 + 1);
      expect(await ctx.quota().usage(b, QUOTA_T0 + 1)).toEqual({
        requests: 0,
        tokens: 0,
        inFlight: 0,
        pausedUntilMs: null,
      });
      expect(await reserve(b, limits, 'b', QUOTA_T0 + 2, 100)).toEqual({ granted: true, id: 'b' });
      await ctx.quota().settle(b, 'b', { tokens: 60, now: QUOTA_T0 + 3 });
      await ctx.quota().release(b, 'b', QUOTA_T0 + 4);
      await ctx.quota().release(b, 'never-reserved', QUOTA_T0 + 4);
      expect(await ctx.quota().usage(b, QUOTA_T0 + 4)).toMatchObject({ requests: 1, tokens: 60 });
    });

    it('presumes a reservation abandoned after holdMs: its slot frees, and it counts a window more', async () => {
      const b = ctx.bucket('abandoned');
      const limits = { requestsPerMinute: 2, concurrentRequests: 1 };
      await reserve(b, limits, 'lost', QUOTA_T0, 0, 5_000);
      expect(denied(await reserve(b, limits, 'x', QUOTA_T0 + 4_999)).reason).toBe('concurrency');
      expect(await reserve(b, limits, 'x', QUOTA_T0 + 5_000)).toEqual({ granted: true, id: 'x' });
      await ctx.quota().settle(b, 'x', { tokens: 0, now: QUOTA_T0 + 5_001 });
      const d = denied(await reserve(b, limits, 'y', QUOTA_T0 + 6_000));
      expect(d).toEqual({ granted: false, reason: 'requests', retryAtMs: QUOTA_T0 + 5_000 + COUNTED });
    });
  });

  describe('pause and retryAtMs', () => {
    it('refuses every reservation while paused; an earlier pause never shortens a later one', async () => {
      const b = ctx.bucket('paused');
      const limits = { requestsPerMinute: 100 };
      await ctx.quota().pause(b, QUOTA_T0 + 5_000);
      await ctx.quota().pause(b, QUOTA_T0 + 2_000);
      expect(denied(await reserve(b, limits, 'a', QUOTA_T0))).toEqual({
        granted: false,
        reason: 'paused',
        retryAtMs: QUOTA_T0 + 5_000,
      });
      expect((await ctx.quota().usage(b, QUOTA_T0 + 4_999)).pausedUntilMs).toBe(QUOTA_T0 + 5_000);
      expect(denied(await reserve(b, limits, 'a', QUOTA_T0 + 4_999)).reason).toBe('paused');
      expect(await reserve(b, limits, 'a', QUOTA_T0 + 5_000)).toEqual({ granted: true, id: 'a' });
      expect((await ctx.quota().usage(b, QUOTA_T0 + 5_000)).pausedUntilMs).toBeNull();
    });

    it('gives the earliest time the requests can fit: denied 1 ms before it, granted at it', async () => {
      const b = ctx.bucket('retry-requests');
      const limits = { requestsPerMinute: 3 };
      const settles = [QUOTA_T0 + 30_000, QUOTA_T0 + 10_000, QUOTA_T0 + 20_000];
      for (const [i, at] of settles.entries()) {
        await reserve(b, limits, `r${i}`, QUOTA_T0);
        await ctx.quota().settle(b, `r${i}`, { tokens: 0, now: at });
      }
      const d = denied(await reserve(b, limits, 'next', QUOTA_T0 + 40_000));
      expect(d.retryAtMs).toBe(QUOTA_T0 + 10_000 + COUNTED); // the earliest settle ages out first
      expect(denied(await reserve(b, limits, 'next', d.retryAtMs - 1)).reason).toBe('requests');
      expect(await reserve(b, limits, 'next', d.retryAtMs)).toEqual({ granted: true, id: 'next' });
    });

    it('gives the earliest time the tokens can fit, when several reservations must age out', async () => {
      const b = ctx.bucket('retry-tokens');
      const limits = { tokensPerMinute: 1000 };
      const settled = [
        { id: 'a', tokens: 300, at: QUOTA_T0 + 1_000 },
        { id: 'b', tokens: 300, at: QUOTA_T0 + 2_000 },
        { id: 'c', tokens: 300, at: QUOTA_T0 + 3_000 },
      ];
      for (const s of settled) {
        await reserve(b, limits, s.id, QUOTA_T0, s.tokens);
        await ctx.quota().settle(b, s.id, { tokens: s.tokens, now: s.at });
      }
      // 900 counted; 700 more needs 600 to age out: a and b.
      const d = denied(await reserve(b, limits, 'big', QUOTA_T0 + 4_000, 700));
      expect(d).toEqual({ granted: false, reason: 'tokens', retryAtMs: QUOTA_T0 + 2_000 + COUNTED });
      expect(denied(await reserve(b, limits, 'big', d.retryAtMs - 1, 700)).reason).toBe('tokens');
      expect(await reserve(b, limits, 'big', d.retryAtMs, 700)).toEqual({ granted: true, id: 'big' });
    });

    it('assumes a reservation in flight settles now, and reports the limit that holds longest', async () => {
      const b = ctx.bucket('retry-in-flight');
      const limits = { requestsPerMinute: 1 };
      await reserve(b, limits, 'open', QUOTA_T0);
      expect(denied(await reserve(b, limits, 'x', QUOTA_T0 + 9_000)).retryAtMs).toBe(
        QUOTA_T0 + 9_000 + COUNTED,
      );
      await ctx.quota().pause(b, QUOTA_T0 + 10 * COUNTED);
      expect(denied(await reserve(b, limits, 'x', QUOTA_T0 + 9_000))).toEqual({
        granted: false,
        reason: 'paused',
        retryAtMs: QUOTA_T0 + 10 * COUNTED,
      });
    });
  });

  describe('refusals', () => {
    it('throws ConfigurationError for limits that are not positive integers, and records nothing', async () => {
      const b = ctx.bucket('invalid');
      for (const limits of [{ requestsPerMinute: 0 }, { tokensPerMinute: -5 }, { concurrentRequests: 1.5 }])
        await expect(reserve(b, limits, 'a', QUOTA_T0)).rejects.toBeInstanceOf(ConfigurationError);
      expect((await ctx.quota().usage(b, QUOTA_T0)).requests).toBe(0);
    });

    it('throws ConfigurationError for a request larger than tokensPerMinute (no window could admit it)', async () => {
      const b = ctx.bucket('too-big');
      await expect(reserve(b, { tokensPerMinute: 100 }, 'a', QUOTA_T0, 101)).rejects.toThrow(
        /tokensPerMinute/,
      );
      expect(await reserve(b, { tokensPerMinute: 100 }, 'a', QUOTA_T0, 100)).toEqual({
        granted: true,
        id: 'a',
      });
    });
  });
}
