import { ConcurrencyError } from './errors';
import { KestrionError } from './kestrion-error';

/**
 * `acquireLease` on a run that has ended (completed, failed, cancelled, expired): nothing can
 * drive it, so no lease is granted (an ended run never keeps an owner). Not retryable.
 */
export class RunEndedError extends KestrionError {
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

/**
 * `append(runId, 0, ...)` (a new run) under an id another run already has. A ConcurrencyError
 * (two starts racing for one id is a race, and code that catches those still does), but not
 * retryable: the same append can never succeed. Choose a new run id, or resume the existing run.
 */
export class RunIdTakenError extends ConcurrencyError {
  override readonly code = 'run_id_taken';
  override readonly retryable = false;

  constructor(runId: string, actualSeq: number | undefined, options: { cause?: unknown } = {}) {
    super(runId, 0, actualSeq, options);
    this.message = `run id ${JSON.stringify(runId)} is taken: a run with this id already exists (head seq ${actualSeq ?? '?'}); start the new run under another id, or resume the existing one`;
  }
}
