/**
 * How node execution stops early without exceptions through user code: the context records
 * why (the events are already durable) and the driver, racing the node against this signal,
 * moves on. The node's pending promise is simply never resolved.
 */
export type Interrupt =
  /** The run parked waiting on a person (run.waiting appended). */
  | { kind: 'parked' }
  /** The run reached a terminal status inside the node (run.failed / approval.expired appended). */
  | { kind: 'ended' }
  /** This driver may no longer act (lease lost, store down): nothing more is written. */
  | { kind: 'abandoned'; error: unknown };

export class InterruptSignal {
  private resolve!: (i: Interrupt) => void;
  readonly promise: Promise<Interrupt>;
  fired: Interrupt | undefined;

  constructor() {
    this.promise = new Promise((r) => (this.resolve = r));
  }

  fire(i: Interrupt): Promise<never> {
    if (!this.fired) {
      this.fired = i;
      this.resolve(i);
    }
    return new Promise<never>(() => undefined);
  }
}
