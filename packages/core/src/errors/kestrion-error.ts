/**
 * The root of every error Kestrion throws. `code` is a stable string for programs;
 * `retryable` tells a caller whether the same call may succeed later.
 */
export class KestrionError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** The caller's setup is wrong; the message says what to change. Never retryable. */
export class ConfigurationError extends KestrionError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('configuration', message, options);
  }
}

/** Input handed to an API is invalid (a hostile run id, an oversized payload). */
export class InvalidInputError extends KestrionError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}
