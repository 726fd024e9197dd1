import type { RunStatus } from '@kestrion/core';
import type { CrashScenarioName } from './crash-scenario';

/** What a crash child does; see `children/crash-child.ts`. */
export type CrashChildMode =
  /** Start a run and drive it (until it ends or parks). */
  | 'run'
  /** Start a run, print its id, SIGKILL itself. */
  | 'start'
  /** Drive `runIds` once each (waiting out a dead owner's lease up to `busyWaitMs`). */
  | 'resume'
  /** Approve the pending call, then drive. */
  | 'approve'
  /** Drive, approve and decide unknown outcomes (as a person checking the ledger) until the run ends. */
  | 'finish'
  /** Sweep with `recoverRuns(engine)` until every run of `runIds` has ended. */
  | 'recover'
  /** Append one event at a time to `runIds[0]`, printing each resolved seq, until killed. */
  | 'append';

export interface CrashChildConfig {
  storeUrl: string;
  scenario: CrashScenarioName;
  mode: CrashChildMode;
  /** JSON-lines file of effects, shared by every process of a scenario. */
  ledger: string;
  runIds?: string[];
  /** The run id `run`/`start` use. */
  newRunId?: string;
  /** SIGKILL right after the append that makes this seq durable has resolved. */
  killAfterEvent?: number;
  /** SIGSTOP right after the append that makes this seq durable (a zombie-to-be). */
  stopAfterEvent?: number;
  /** SIGKILL inside this tool, after its effect, before its result is recorded. */
  killInsideTool?: string;
  slowTool?: { name: string; ms: number };
  /** Make one tool prepare this long before its effect, then check it may still act. */
  prepareBeforeEffect?: PrepareBeforeEffect;
  announceTools?: boolean;
  leaseTtlMs: number;
  /** How long to keep retrying a RunBusyError (0: report busy at once). */
  busyWaitMs?: number;
  /** Print `ready`, then wait for a line on stdin before acting. */
  waitForGo?: boolean;
}

/**
 * A tool that works `ms` before its effect, then checks it may still act: `signal` looks at
 * its abort signal only, `assert` calls `assertLeaseHeld()` only. It prints
 * `preparing <name>` when it starts preparing (for a parent timing a SIGSTOP).
 */
export interface PrepareBeforeEffect {
  name: string;
  ms: number;
  check: 'signal' | 'assert';
}

/** What happened to one run in a child. */
export interface ChildRunResult {
  runId: string;
  status?: RunStatus;
  waitingReason?: string;
  busy?: boolean;
  error?: { code: string; message: string };
}

/** The last stdout line of a child that was not killed. */
export interface CrashChildReport {
  pid: number;
  owner: string;
  results: ChildRunResult[];
  decisions: { approved: number; retried: number; supplied: number };
}
