import type { ErrorInfo } from '../events/event-types';
import { KestrionError } from '../errors';

/** A thrown value as plain JSON for an event (never a stack: logs are not for stacks). */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof KestrionError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'error', message: `${error.name}: ${error.message}` };
  return { code: 'error', message: String(error) };
}

/** Errors that mean "this driver must stop", as opposed to "this run failed". */
export function isInfrastructureError(error: unknown): boolean {
  return (
    error instanceof KestrionError && ['lease_lost', 'concurrency', 'store', 'run_busy'].includes(error.code)
  );
}
