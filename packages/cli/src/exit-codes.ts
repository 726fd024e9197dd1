import { type ErrorCode, errorCodeSpec, isErrorCode, KestrionError, type RunStatus } from '@kestrion/core';
import { CommanderError } from 'commander';

/**
 * Exit codes of `kestrion` (docs/cli.md). 0-2 say how the command went; 3-5 report the outcome
 * of a run the command drove (`run`, `resume`), and are never an error's.
 */
export const EXIT = {
  /** The command did what it was asked (a run it drove completed). */
  ok: 0,
  /** An error: the store, a run that does not exist, a refused decision, a failing module. */
  error: 1,
  /** The command line or the setup is wrong: unknown command or flag, bad value, no Agent exported. */
  usage: 2,
  /** The run is parked waiting on a person (an approval, an unknown outcome, input). */
  waiting: 3,
  /** The run failed. */
  failed: 4,
  /** The run was cancelled or expired. */
  cancelled: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What a command that drove a run exits with, by the status the run was left in. */
export function exitCodeForStatus(status: RunStatus): ExitCode {
  switch (status) {
    case 'waiting_on_human':
      return EXIT.waiting;
    case 'failed':
      return EXIT.failed;
    case 'cancelled':
    case 'expired':
      return EXIT.cancelled;
    default:
      return EXIT.ok;
  }
}

/**
 * An error's exit code: commander's parse errors are usage (2); a Kestrion error exits with its
 * code's `exitCodeOf` (2 for usage, configuration and malformed input; 1 otherwise), except an
 * unknown run id, which is 1: the command line was well formed, the store has no such run.
 */
export function exitCodeForError(error: unknown): ExitCode {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  const code = kestrionCodeOf(error);
  if (code === undefined || code === 'run_not_found') return EXIT.error;
  return errorCodeSpec(code)?.exitCode === 2 ? EXIT.usage : EXIT.error;
}

/**
 * The code of a Kestrion error, also when it comes from another copy of `@kestrion/core` (an
 * agent module in a project of its own imports its own): known by its code, not its class.
 */
export function kestrionCodeOf(error: unknown): ErrorCode | undefined {
  if (error instanceof KestrionError) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && isErrorCode(code) ? code : undefined;
}
