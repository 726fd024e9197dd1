import type { ErrorInfo } from '../events/event-types';
import { InfrastructureError, KestrionError, RecordedToolError, RunIdTakenError } from '../errors';
import { scrubSecrets } from '../util/secret-scrub';

/**
 * A thrown value as plain JSON for an event (never a stack: logs are not for stacks). The
 * message is scrubbed of credentials (URL passwords, API keys, `Bearer` tokens) whatever
 * threw it, with or without a store redactor. A value that is not a `KestrionError` is
 * recorded under code `error` (`UnexpectedError`'s); a `RecordedToolError` (a replayed
 * failure) as the log recorded it.
 */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof RecordedToolError) return error.recorded;
  if (error instanceof KestrionError) return { code: error.code, message: scrubSecrets(error.message) };
  if (error instanceof Error)
    return { code: 'error', message: scrubSecrets(`${error.name}: ${error.message}`) };
  return { code: 'error', message: scrubSecrets(String(error)) };
}

/**
 * Errors that mean "this driver must stop", as opposed to "this run failed": an
 * `InfrastructureError` (another writer or driver moved the run, or the store failed). A taken
 * run id is the one exception: it refuses one start (a sub-run's, say), it says nothing about
 * the run being driven, so it fails the call that made it like any other error.
 */
export function isInfrastructureError(error: unknown): error is InfrastructureError {
  return error instanceof InfrastructureError && !(error instanceof RunIdTakenError);
}
