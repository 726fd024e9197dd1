import { LeaseLostError } from '../errors';
import type { Clock } from '../ports/clock';
import type { Lease, Store } from '../store/store';

/**
 * Keeps a driver's lease alive (renewed every third of its TTL) and answers, right before a
 * side effect, whether this process may still act: a lease that failed to renew, or whose
 * expiry has passed by the local clock (a process paused past it), may not.
 *
 * Losing the lease calls `onLost` (the driver aborts its tools' signal) as soon as this
 * process can tell: when a renewal is refused, and when the expiry passes by the local clock
 * — a process paused past its lease (SIGSTOP, a long GC, a frozen VM) aborts on waking,
 * without waiting for a renewal round trip that another process may already have made moot.
 */
export class LeaseKeeper {
  private timer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private lostReason: string | undefined;

  constructor(
    public lease: Lease,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly onLost: (error: LeaseLostError) => void,
  ) {
    this.timer = setInterval(() => void this.renew(), Math.max(10, Math.floor(ttlMs / 3)));
    this.timer.unref();
    this.armExpiry();
  }

  /** True once this process may no longer act on the run. */
  get lost(): boolean {
    return this.lostReason !== undefined;
  }

  /** Fires when the lease's expiry passes by the local clock (re-armed on every renewal). */
  private armExpiry(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    if (this.lostReason) return;
    const delay = Math.max(0, this.lease.expiresAtMs - this.clock.now());
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = undefined;
      // An injected clock may not have moved with real time: look again later.
      if (this.clock.now() < this.lease.expiresAtMs) return this.armExpiry();
      this.lose(
        `expired at ${new Date(this.lease.expiresAtMs).toISOString()} by this process's clock before renewal`,
      );
    }, delay);
    this.expiryTimer.unref();
  }

  private lose(reason: string): void {
    if (this.lostReason) return;
    this.lostReason = reason;
    this.stop();
    this.onLost(new LeaseLostError(this.lease.runId, reason));
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
      const renewed = await this.store.renewLease(this.lease, { ttlMs: this.ttlMs, now: this.clock.now() });
      if (this.lostReason) return;
      this.lease = renewed;
      this.armExpiry();
    } catch (error) {
      if (error instanceof LeaseLostError) this.lose(error.message);
    }
  }

  async release(): Promise<void> {
    this.stop();
    if (!this.lostReason) await this.store.releaseLease(this.lease).catch(() => undefined);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.timer = undefined;
    this.expiryTimer = undefined;
  }
}
