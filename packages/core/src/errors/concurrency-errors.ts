import type { ErrorCodeOf } from './error-codes';
import { KestrionError } from './kestrion-error';

/**
 * "This driver must stop", as opposed to "this run failed": another writer or driver moved the
 * run (`ConcurrencyError`, `RunBusyError`, `LeaseLostError`), the store failed (`StoreError`),
 * or a system a tool stands for cannot be reached before anything is sent to it (an MCP server
 * down when its tool's identity is asked: `McpServerUnavailableError`, `@kestrion/mcp`).
 * The engine abandons the run (the log is untouched; another process, or a later resume,
 * continues it) instead of recording a failure. See `isInfrastructureError`.
 */
export abstract class InfrastructureError extends KestrionError {}

/**
 * `append` found the run's head somewhere other than `expectedSeq`: another writer got there
 * first. Re-read the run and decide again; never blindly retry the same append.
 */
export class ConcurrencyError extends InfrastructureError {
  constructor(
    readonly runId: string,
    readonly expectedSeq: number,
    readonly actualSeq: number | undefined,
    options: { cause?: unknown } = {},
  ) {
    super(
      'concurrency',
      `run ${JSON.stringify(runId)}: expected head seq ${expectedSeq} but found ${actualSeq ?? 'another writer'}; reload the run and retry the decision`,
      { ...options, retryable: true },
    );
  }
}

/**
 * `append(runId, 0, ...)` (a new run) under an id another run already has. A ConcurrencyError
 * (two starts racing for one id is a race, and code that catches those still does), but not
 * retryable: the same append can never succeed, and not a reason for a driver to stop (it
 * refuses this one start). Choose a new run id, or resume the existing run.
 */
export class RunIdTakenError extends ConcurrencyError {
  override readonly code = 'run_id_taken';
  override readonly retryable = false;

  constructor(runId: string, actualSeq: number | undefined, options: { cause?: unknown } = {}) {
    super(runId, 0, actualSeq, options);
    this.message = `run id ${JSON.stringify(runId)} is taken: a run with this id already exists (head seq ${actualSeq ?? '?'}); start the new run under another id, or resume the existing one`;
  }
}

/** Another driver holds a live lease on the run. */
export class RunBusyError extends InfrastructureError {
  constructor(
    readonly runId: string,
    readonly owner: string,
    readonly expiresAtMs: number,
  ) {
    super(
      'run_busy',
      `run ${JSON.stringify(runId)} is being driven by ${owner} until ${new Date(expiresAtMs).toISOString()}`,
      { retryable: true },
    );
  }
}

/** The caller's lease was taken over or released: it must stop acting on the run at once. */
export class LeaseLostError extends InfrastructureError {
  constructor(
    readonly runId: string,
    detail: string,
  ) {
    super('lease_lost', `lease on run ${JSON.stringify(runId)} lost: ${detail}`);
  }
}

/**
 * The run is not in a state the operation can act on. `RunEndedError` and `RunStateError` are
 * its two kinds; neither is retryable.
 */
export abstract class RunStatusError extends KestrionError {
  constructor(code: Extract<ErrorCodeOf<'concurrency'>, 'run_ended' | 'run_state'>, message: string) {
    super(code, message);
  }
}

/**
 * `acquireLease` on a run that has ended (completed, failed, cancelled, expired): nothing can
 * drive it, so no lease is granted (an ended run never keeps an owner). Not retryable.
 */
export class RunEndedError extends RunStatusError {
  constructor(
    readonly runId: string,
    readonly status: string,
  ) {
    super(
      'run_ended',
      `run ${JSON.stringify(runId)} has ended (${status}); nothing can drive it, so no lease is granted: read it, or start a new run (or fork this one) to continue`,
    );
  }
}

/** An operation that needs the run in a particular state found it elsewhere. */
export class RunStateError extends RunStatusError {
  constructor(runId: string, detail: string) {
    super('run_state', `run ${JSON.stringify(runId)}: ${detail}`);
  }
}
