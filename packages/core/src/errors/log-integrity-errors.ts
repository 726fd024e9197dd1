import { KestrionError } from './kestrion-error';

/** The stored log is damaged (gap, duplicate, unparsable row). The run is refused, nothing runs. */
export class CorruptLogError extends KestrionError {
  constructor(
    readonly runId: string,
    readonly seq: number,
    detail: string,
    options: { cause?: unknown } = {},
  ) {
    super('corrupt_log', `run ${JSON.stringify(runId)} is corrupt at seq ${seq}: ${detail}`, options);
  }
}

/** An event was written by a newer Kestrion than this one; the run is refused, not skipped. */
export class UnsupportedVersionError extends KestrionError {
  constructor(
    readonly runId: string,
    readonly seq: number,
    readonly eventType: string,
    readonly version: number,
    readonly supported: number,
  ) {
    super(
      'unsupported_version',
      `run ${JSON.stringify(runId)} seq ${seq}: event ${eventType} v${version} is newer than this Kestrion supports (v${supported}); upgrade @kestrion/core before loading this run`,
    );
  }
}

/**
 * A stored snapshot could not be used (unparsable, wrong shape, not this run's, ahead of the
 * log). Snapshots are a cache: the run is folded from its log instead, and this is reported
 * as a warning (`onWarning`), never thrown.
 */
export class CorruptSnapshotError extends KestrionError {
  constructor(
    readonly runId: string,
    readonly seq: number | undefined,
    detail: string,
    options: { cause?: unknown } = {},
  ) {
    super(
      'corrupt_snapshot',
      `run ${JSON.stringify(runId)}: snapshot${seq === undefined ? '' : ` at seq ${seq}`} ignored, ${detail}; the run was folded from its log (delete the run's snapshots to stop this warning)`,
      options,
    );
  }
}

/** The code changed between park and resume: a different step sits at a recorded step key. */
export class StepMismatchError extends KestrionError {
  constructor(
    readonly runId: string,
    readonly stepKey: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(
      'step_mismatch',
      `run ${JSON.stringify(runId)} step ${stepKey}: the log recorded ${expected} but the code now asks for ${found}; the node's code changed since the run started — finish or fork old runs with the old code`,
    );
  }
}

/**
 * `replay` cannot re-drive the log: the code asks for more model calls or tool results than
 * the log recorded, or the log does not start with `run.started`.
 */
export class ReplayDivergedError extends KestrionError {
  constructor(message: string) {
    super('replay_diverged', `replay: ${message}`);
  }
}
