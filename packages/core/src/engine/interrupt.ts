import { RunInterrupted } from '../errors';
import type { NodeAbort } from './node-abort';

/**
 * Why a node's execution stopped before it returned. The events are already durable (or, when
 * abandoned, nothing more is written); the node is told by a `RunInterrupted` rejection.
 */
export type Interrupt =
  /** The run parked waiting on a person (run.waiting appended). */
  | { kind: 'parked' }
  /** The run reached a terminal status inside the node (run.failed / run.cancelled / approval.expired appended). */
  | { kind: 'ended' }
  /** This driver may no longer act (lease lost, store down): nothing more is written. */
  | { kind: 'abandoned'; error: unknown };

/**
 * How node execution stops early. The context records why (`fired`), aborts the node's signal
 * with a `RunInterrupted` and settles the node's awaited call with that same error, so the
 * node's `finally` blocks run; every later context call rejects with it at once. The driver
 * waits for the node to settle and then ignores whatever it returned or threw.
 */
export class InterruptSignal {
  fired: Interrupt | undefined;
  private error: RunInterrupted | undefined;

  constructor(
    private readonly runId: string,
    private readonly controller: Pick<NodeAbort, 'abort'>,
  ) {}

  /** Records the interrupt (the first one wins) and returns the rejection the node's call settles with. */
  fire(i: Interrupt): Promise<never> {
    if (!this.error) {
      this.fired = i;
      this.error = withoutStack(() => new RunInterrupted(this.runId, i));
      this.controller.abort(this.error);
    }
    return Promise.reject(this.error);
  }

  /** Throws the `RunInterrupted` once fired: a node that caught it gets no further call through. */
  check(): void {
    if (this.error) throw this.error;
  }
}

/** Whether `Error.stackTraceLimit` can be set (not under --frozen-intrinsics). */
const STACK_LIMIT_WRITABLE =
  Object.isExtensible(Error) && Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')?.writable === true;

/**
 * Makes an error without capturing a stack. RunInterrupted is control flow, made on every park;
 * its stack would only list the engine's own frames (the node's await point is not among
 * them), and capturing it was the largest single cost of parking a run (about 10 µs of an
 * in-process park, approve and resume).
 */
function withoutStack<E extends Error>(make: () => E): E {
  if (!STACK_LIMIT_WRITABLE) return make();
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
