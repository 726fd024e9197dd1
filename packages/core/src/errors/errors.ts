import { KestrionError } from './kestrion-error';

/**
 * `append` found the run's head somewhere other than `expectedSeq`: another writer got there
 * first. Re-read the run and decide again; never blindly retry the same append.
 */
export class ConcurrencyError extends KestrionError {
  constructor(
    readonly runId: string,
    readonly expectedSeq: number,
    readonly actualSeq: number | undefined,
    options: { cause?: unknown } = {},
  ) {
    super(
      'concurrency',
      `run ${JSON.stringify(runId)}: expected head seq ${expectedSeq} but found ${actualSeq ?? 'another writer'}; reload the run and retry the decision`,
      { ...options, retryable: true },
    );
  }
}

/** Another driver holds a live lease on the run. */
export class RunBusyError extends KestrionError {
  constructor(
    readonly runId: string,
    readonly owner: string,
    readonly expiresAtMs: number,
  ) {
    super(
      'run_busy',
      `run ${JSON.stringify(runId)} is being driven by ${owner} until ${new Date(expiresAtMs).toISOString()}`,
      {
        retryable: true,
      },
    );
  }
}

/** The caller's lease was taken over or released: it must stop acting on the run at once. */
export class LeaseLostError extends KestrionError {
  constructor(
    readonly runId: string,
    detail: string,
  ) {
    super('lease_lost', `lease on run ${JSON.stringify(runId)} lost: ${detail}`);
  }
}

export class RunNotFoundError extends KestrionError {
  constructor(readonly runId: string) {
    super('run_not_found', `run ${JSON.stringify(runId)} does not exist`);
  }
}

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

/** Infrastructure failure of a store (connection lost, disk full). Often retryable. */
export class StoreError extends KestrionError {
  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super('store', message, options);
  }
}

export class PayloadTooLargeError extends KestrionError {
  constructor(
    readonly runId: string,
    readonly eventType: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(
      'payload_too_large',
      `run ${JSON.stringify(runId)}: ${eventType} payload is ${bytes} bytes, over the ${limit}-byte limit; store large blobs elsewhere and record a reference, or raise maxEventBytes`,
    );
  }
}

export class InvalidRunIdError extends KestrionError {
  constructor(detail: string) {
    super('invalid_run_id', `invalid run id: ${detail}`);
  }
}
