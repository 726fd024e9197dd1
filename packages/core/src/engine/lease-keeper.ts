import { LeaseLostError } from '../errors';
import type { Clock } from '../ports/clock';
import type { Lease, Store } from '../store/store';

/**
 * Keeps a driver's lease alive (renewed every third of its TTL) and answers, right before a
 * side effect, whether this process may still act: a lease that failed to renew, or whose
 * expiry has passed by the local clock (a process paused past it), may not.
 */
export class LeaseKeeper {
  private timer: NodeJS.Timeout | undefined;
  private lostReason: string | undefined;

  constructor(
    public lease: Lease,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly onLost: () => void,
  ) {
    this.timer = setInterval(() => void this.renew(), Math.max(10, Math.floor(ttlMs / 3)));
    this.timer.unref();
  }

  /** Throws LeaseLostError unless the lease is known good and unexpired right now. */
  assertHeld(): void {
    if (this.lostReason) throw new LeaseLostError(this.lease.runId, this.lostReason);
    if (this.clock.now() >= this.lease.expiresAtMs)
      throw new LeaseLostError(
        this.lease.runId,
        `expired at ${new Date(this.lease.expiresAtMs).toISOString()} before renewal`,
      );
  }

  async renew(): Promise<void> {
    if (this.lostReason) return;
    try {
      this.lease = await this.store.renewLease(this.lease, { ttlMs: this.ttlMs, now: this.clock.now() });
    } catch (error) {
      if (error instanceof LeaseLostError) {
        this.lostReason = error.message;
        this.onLost();
      }
    }
  }

  async release(): Promise<void> {
    this.stop();
    if (!this.lostReason) await this.store.releaseLease(this.lease).catch(() => undefined);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
