import type { Interrupt } from '../engine/interrupt';
import { KestrionError } from './kestrion-error';

/**
 * The sentinel a node's pending `ctx.callTool` / `ctx.callTools` / `ctx.callModel` rejects with
 * when the run stops inside that node: it parked (waiting on a person, or on an unknown
 * outcome), it ended (a failure recorded by the engine, a limit, an approval expired with
 * outcome `fail`, a cancel), or this driver may no longer act (lease lost, store down). What
 * happened is already in the log (or, when abandoned, nothing more is written); `interrupt`
 * says which.
 *
 * It exists so the node's `finally` blocks run (a connection held in `try/finally` is given
 * back). Code that catches it must rethrow it: the run is not in the node's hands any more,
 * every further `ctx` call rejects with it at once, and whatever the node returns or throws
 * afterwards is ignored (nothing more is written). The node's `ctx.signal` is aborted with it
 * as the reason. The engine makes it without a stack trace (it is control flow, made on every
 * park, and its stack would show only the engine's frames).
 */
export class RunInterrupted extends KestrionError {
  constructor(
    readonly runId: string,
    readonly interrupt: Interrupt,
  ) {
    super(
      'run_interrupted',
      `run ${JSON.stringify(runId)} was ${interrupt.kind === 'parked' ? 'parked' : interrupt.kind === 'ended' ? 'ended' : 'abandoned by this driver'} while the node awaited this call; rethrow this error`,
    );
  }
}

/** A tool did not finish within its `timeoutMs`. Retryable (an idempotent tool may run again). */
export class ToolTimeoutError extends KestrionError {
  constructor(tool: string, ms: number) {
    super('tool_timeout', `tool ${tool} did not finish within ${ms} ms`, { retryable: true });
  }
}

/**
 * The run reached a limit its caller set (`maxSteps`, `maxEvents`, `maxCostUsd`, an agent's
 * `maxTurns`). The engine records `limit_exceeded` in `run.failed`. Not retryable.
 */
export class LimitExceededError extends KestrionError {
  constructor(message: string) {
    super('limit_exceeded', message);
  }
}
