import fc from 'fast-check';
import { QUOTA_MARGIN_MS, QUOTA_WINDOW_MS, type QuotaLimits, type QuotaStore } from '@kestrion/core';
import { QUOTA_T0, type QuotaContractContext } from './quota-contract';
import type { QuotaConnection } from './quota-factories';
import { maxConcurrent, maxWindowLoad, type TimedRequest } from './window-load';

/** A reserver's plan for one round: how far the clock moves first, what it does with its reservation. */
interface RoundPlan {
  advanceMs: number;
  /** Per reserver: [estimate in % of the limit, actual in % of the estimate, hold rounds, release]. */
  moves: Array<[number, number, number, boolean]>;
}

interface Held {
  id: string;
  startMs: number;
  estimate: number;
  actual: number;
  settleRound: number;
  release: boolean;
}

/**
 * N reservers, each on its own connection, share one bucket under a simulated clock. In every
 * round the clock moves (0 to 25 s), then all reservers at once settle or release what is due
 * and try a new reservation at the round's time. Afterwards: no window of
 * QUOTA_WINDOW_MS + QUOTA_MARGIN_MS could hold more requests or tokens than the limits, over
 * every moment each request could have reached the vendor (reserve to settle), and no more
 * reservations were ever in flight at once than allowed.
 */
export function quotaRaceContract(ctx: QuotaContractContext, numRuns: number, reservers: number): void {
  describe('concurrent reservers', () => {
    const connections: QuotaConnection[] = [];
    beforeAll(async () => {
      for (let i = 0; i < reservers; i++) connections.push(await ctx.factory.connect());
    });
    afterAll(async () => {
      await Promise.all(connections.map((c) => c.close()));
    });

    it('never admit more than a limit in any window, racing on separate connections', async () => {
      const move = fc.tuple(
        fc.integer({ min: 5, max: 60 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
      );
      const round = fc.record({
        advanceMs: fc.integer({ min: 0, max: 25_000 }),
        moves: fc.array(move, { minLength: reservers, maxLength: reservers }),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 2, max: 6 }),
          fc.integer({ min: 200, max: 1_000 }),
          fc.integer({ min: 1, max: Math.max(1, reservers - 1) }),
          fc.array(round, { minLength: 15, maxLength: 30 }),
          async (rpm, tpm, concurrent, rounds) => {
            const limits = { requestsPerMinute: rpm, tokensPerMinute: tpm, concurrentRequests: concurrent };
            const outcome = await race(
              connections.map((c) => c.quota),
              ctx.bucket('race'),
              limits,
              rounds,
            );
            const counted = outcome.done.filter((r) => !r.released);
            const load = maxWindowLoad(counted, QUOTA_WINDOW_MS + QUOTA_MARGIN_MS);
            expect(load.requests).toBeLessThanOrEqual(rpm);
            expect(load.tokens).toBeLessThanOrEqual(tpm);
            expect(maxConcurrent(outcome.done)).toBeLessThanOrEqual(concurrent);
            expect(outcome.done.length).toBeGreaterThan(0);
            expect(outcome.lateRetries).toEqual([]);
          },
        ),
        { numRuns, endOnFailure: true },
      );
    });
  });
}

async function race(
  quotas: QuotaStore[],
  bucket: string,
  limits: Required<QuotaLimits>,
  rounds: RoundPlan[],
): Promise<{ done: Array<TimedRequest & { released: boolean }>; lateRetries: string[] }> {
  const done: Array<TimedRequest & { released: boolean }> = [];
  const lateRetries: string[] = [];
  const held: Array<Held | undefined> = quotas.map(() => undefined);
  let now = QUOTA_T0;
  for (const [r, plan] of rounds.entries()) {
    now += plan.advanceMs;
    const at = now;
    await Promise.all(
      quotas.map(async (quota, i) => {
        const h = held[i];
        if (h && h.settleRound <= r) {
          if (h.release) await quota.release(bucket, h.id, at);
          else await quota.settle(bucket, h.id, { tokens: h.actual, now: at });
          done.push({ startMs: h.startMs, endMs: at, tokens: h.actual, released: h.release });
          held[i] = undefined;
        }
        if (held[i]) return;
        const [share, actualShare, holdRounds, release] = plan.moves[i] ?? [10, 100, 0, false];
        const estimate = Math.max(1, Math.floor((limits.tokensPerMinute * share) / 100));
        const id = `r${r}-${i}`;
        const result = await quota.reserve(bucket, limits, { id, tokens: estimate, now: at });
        if (!result.granted) {
          if (!(result.retryAtMs > at))
            lateRetries.push(`${id}: ${result.reason} retryAt ${result.retryAtMs}`);
          return;
        }
        const actual = Math.floor((estimate * actualShare) / 100);
        held[i] = { id, startMs: at, estimate, actual, settleRound: r + holdRounds, release };
      }),
    );
  }
  // Still in flight at the end: counted at their estimate, with no end.
  for (const h of held)
    if (h)
      done.push({ startMs: h.startMs, endMs: Number.MAX_SAFE_INTEGER, tokens: h.estimate, released: false });
  return { done, lateRetries };
}
