import type { ErrorCodeOf } from './error-codes';
import { KestrionError } from './kestrion-error';

/**
 * Input handed to an API is invalid (a hostile run id, an oversized payload, a malformed
 * decision). The base of every error whose fault is `input`; never retryable as such.
 */
export class InvalidInputError extends KestrionError {
  constructor(code: ErrorCodeOf<'input'>, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
  }
}

export class InvalidRunIdError extends InvalidInputError {
  constructor(detail: string) {
    super('invalid_run_id', `invalid run id: ${detail}`);
  }
}

/**
 * `drive(lease)` was handed a lease on a run of another agent than the engine's (or Agent's)
 * own: that engine does not have the run's graph. Claim with `agents: [engine.agent]`. The
 * lease is left as it is (release it, or let it lapse).
 */
export class AgentMismatchError extends InvalidInputError {
  constructor(
    readonly runId: string,
    readonly runAgent: string,
    readonly engineAgent: string,
  ) {
    super(
      'agent_mismatch',
      `run ${JSON.stringify(runId)} belongs to agent ${JSON.stringify(runAgent)}, not ${JSON.stringify(engineAgent)}; claim with agents: [${JSON.stringify(engineAgent)}] and drive it with that agent's engine`,
    );
  }
}

export class RunNotFoundError extends InvalidInputError {
  constructor(readonly runId: string) {
    super('run_not_found', `run ${JSON.stringify(runId)} does not exist`);
  }
}

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
    code: 'invalid_event_data' | 'payload_too_deep' = 'invalid_event_data',
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

export class PayloadTooLargeError extends InvalidInputError {
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

/** One event id twice in one `append`. Nothing of the batch is written. */
export class DuplicateEventIdError extends InvalidInputError {
  constructor(
    readonly runId: string,
    readonly eventId: string,
  ) {
    super(
      'duplicate_event_id',
      `run ${JSON.stringify(runId)}: event id ${JSON.stringify(eventId)} appears twice in one append; give every event an id of its own`,
    );
  }
}

/** `listRuns` was given a query that cannot match (a bad limit, an empty or unknown status). */
export class InvalidListQueryError extends InvalidInputError {
  constructor(message: string) {
    super('invalid_list_query', message);
  }
}

/**
 * A run's metadata (`StartOptions.metadata`, `run.started`'s `metadata`) is not what the runs
 * projection can keep and filter by: string keys to string values, within the limits of
 * `run-metadata.ts`. `problem` names the entry and the fix. Nothing is written.
 */
export class InvalidRunMetadataError extends InvalidInputError {
  constructor(
    readonly runId: string,
    readonly problem: string,
  ) {
    super('invalid_run_metadata', `run ${JSON.stringify(runId)}: metadata ${problem}`);
  }
}

/** A decision's `by`, `role`, `reason` or edited `args` is malformed. */
export class InvalidDecisionError extends InvalidInputError {
  constructor(message: string) {
    super('invalid_decision', message);
  }
}

/**
 * Tool arguments do not match the tool's parameters schema. Thrown for an approver's edited
 * arguments; for a call (from the model or a node) the engine records `invalid_arguments` in
 * the `tool.failed` event instead of throwing.
 */
export class InvalidArgumentsError extends InvalidInputError {
  constructor(
    readonly tool: string,
    message: string,
    readonly errors: readonly string[] = [],
  ) {
    super('invalid_arguments', message);
  }
}

/** `start`/`submit` was given a priority or concurrency key a claim cannot order or limit by. */
export class InvalidRunOptionsError extends InvalidInputError {
  constructor(
    readonly option: 'priority' | 'concurrencyKey',
    detail: string,
  ) {
    super('invalid_run_options', `run option ${option} ${detail}`);
  }
}
