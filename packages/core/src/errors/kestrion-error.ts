import { ERROR_CODES, type ErrorCode } from './error-codes';

/**
 * The root of every error Kestrion throws. `code` is one of the closed table `ERROR_CODES`
 * (docs/errors.md), stable for programs and recorded in events; `retryable` tells a caller
 * whether the same call may succeed later (the table's default for the code unless the class
 * decides per failure). Decide behaviour with `instanceof` on the classes in `errors/`, not by
 * comparing codes.
 */
export class KestrionError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? ERROR_CODES[code].retryable;
  }
}

/**
 * The HTTP status an API answers a failure with: the table's status for a `KestrionError`'s
 * code, 500 for anything else (a bug, or application code that threw).
 */
export function httpStatusOf(error: unknown): number {
  return error instanceof KestrionError ? ERROR_CODES[error.code].httpStatus : 500;
}

/**
 * The exit code of a CLI command that fails with `error`: 2 for usage, configuration and
 * input errors, 1 for every other error (and for anything that is not a `KestrionError`).
 * Never 0, 3, 4 or 5: those report a run's outcome, not an error.
 */
export function exitCodeOf(error: unknown): 1 | 2 {
  return error instanceof KestrionError ? ERROR_CODES[error.code].exitCode : 1;
}
