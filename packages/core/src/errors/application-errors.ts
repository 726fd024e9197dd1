import { KestrionError } from './kestrion-error';

/**
 * Application code (a node, a tool, an approval policy) threw something that is not a
 * `KestrionError`. `toErrorInfo` records such a value under code `error` (message
 * `Name: message`); this class wraps one when a `KestrionError` is needed, `cause` holding it.
 */
export class UnexpectedError extends KestrionError {
  constructor(cause: unknown) {
    super('error', cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause), { cause });
  }
}

/**
 * `recoverRuns()` could not take a run over for a reason that is not a Kestrion error
 * (a bug in a node, a driver crash); `cause` holds the original.
 */
export class RecoveryFailedError extends KestrionError {
  constructor(
    readonly runId: string,
    cause: unknown,
  ) {
    super(
      'recovery_failed',
      `run ${JSON.stringify(runId)} could not be recovered: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}
