import { InvalidInputError, KestrionError } from './kestrion-error';

/**
 * An event handed to `append` has a malformed envelope field (`type`, `at`, `id`, `v`).
 * Nothing of the batch is written.
 */
export class InvalidEventError extends InvalidInputError {
  constructor(
    readonly runId: string,
    readonly eventType: string,
    readonly field: 'type' | 'at' | 'id' | 'v',
    detail: string,
  ) {
    super(
      'invalid_event',
      `run ${JSON.stringify(runId)}: event ${JSON.stringify(eventType)} has an invalid ${field}: ${detail}`,
    );
  }
}

/**
 * Event data (or cost) that JSON cannot represent faithfully (undefined, NaN, BigInt, a Date,
 * a Map, a class instance, a cycle...). Refused instead of silently converted; `path` names
 * the value (`data.args.items[3].when`). Nothing of the batch is written.
 */
export class InvalidEventDataError extends InvalidInputError {
  constructor(
    readonly runId: string,
    readonly eventType: string,
    readonly path: string,
    detail: string,
    code = 'invalid_event_data',
  ) {
    super(code, `run ${JSON.stringify(runId)}: event ${eventType} ${path} ${detail}`);
  }
}

/** Event data nested deeper than the limit (`MAX_EVENT_DATA_DEPTH`). */
export class PayloadTooDeepError extends InvalidEventDataError {
  constructor(
    runId: string,
    eventType: string,
    path: string,
    readonly maxDepth: number,
  ) {
    super(
      runId,
      eventType,
      path,
      `nests deeper than ${maxDepth} levels (MAX_EVENT_DATA_DEPTH); flatten the payload or record the deep part as a string`,
      'payload_too_deep',
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

/**
 * `engine.recover()` could not take a run over for a reason that is not a Kestrion error
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
