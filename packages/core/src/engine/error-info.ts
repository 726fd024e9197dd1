import type { ErrorInfo } from '../events/event-types';
import { KestrionError } from '../errors';
import { scrubSecrets } from '../util/secret-scrub';

/**
 * A thrown value as plain JSON for an event (never a stack: logs are not for stacks). The
 * message is scrubbed of credentials (URL passwords, API keys, `Bearer` tokens) whatever
 * threw it, with or without a store redactor.
 */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof KestrionError) return { code: error.code, message: scrubSecrets(error.message) };
  if (error instanceof Error)
    return { code: 'error', message: scrubSecrets(`${error.name}: ${error.message}`) };
  return { code: 'error', message: scrubSecrets(String(error)) };
}

/** Errors that mean "this driver must stop", as opposed to "this run failed". */
export function isInfrastructureError(error: unknown): boolean {
  return (
    error instanceof KestrionError && ['lease_lost', 'concurrency', 'store', 'run_busy'].includes(error.code)
  );
}
