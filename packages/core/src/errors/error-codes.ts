/**
 * Every code a Kestrion error can carry, in one closed table (documented in docs/errors.md).
 *
 * Per code:
 * - `fault`: whose fault it is, which is also where its class lives (`errors/<fault>-errors.ts`);
 * - `meaning`: one line, what happened;
 * - `retryable`: the default of `KestrionError.retryable` for this code (a class may decide per
 *   failure, e.g. a `ProviderError` from its HTTP status, a `StoreError` from the driver's code);
 * - `httpStatus`: the status an HTTP API answers with (`httpStatusOf`);
 * - `exitCode`: the exit code of a CLI command that fails with it (`exitCodeOf`): 1 error, 2 usage
 *   or configuration. Exit codes 3 (waiting on a human), 4 (run failed) and 5 (run cancelled or
 *   expired) describe a run's outcome, not an error, and are never returned here;
 * - `modelRepairable`: in a `tool.failed` event, the model can fix this by calling again (the
 *   `Agent` shows it the error and counts a repair instead of failing the run).
 *
 * Codes are part of the log format: the engine records them in `ErrorInfo.code`
 * (`tool.failed`, `llm.failed`, `run.failed`), so a code is never renamed or removed. Old logs
 * keep whatever code they recorded; `ErrorInfo.code` stays a `string` when read back.
 */
export const ERROR_CODES = {
  // --- configuration / usage: the application's setup or its use of an API is wrong ---
  configuration: {
    fault: 'configuration',
    meaning:
      'The setup is wrong (options, graph, manifest, decorators, store URL); the message says what to change.',
    retryable: false,
    httpStatus: 500,
    exitCode: 2,
  },
  usage: {
    fault: 'configuration',
    meaning:
      'An API or command was called in a way it cannot work (a contract of the function, flags that exclude each other).',
    retryable: false,
    httpStatus: 500,
    exitCode: 2,
  },
  manifest_compile: {
    fault: 'configuration',
    meaning: 'kestrion-compile could not compile one or more tools; every diagnostic is attached.',
    retryable: false,
    httpStatus: 500,
    exitCode: 1,
  },
  script_exhausted: {
    fault: 'configuration',
    meaning: 'A ScriptedProvider (tests, demos) was asked for more model turns than its script has.',
    retryable: false,
    httpStatus: 500,
    exitCode: 1,
  },

  script_unconsumed: {
    fault: 'configuration',
    meaning: "A ScriptedProvider's assertConsumed() found scripted turns nobody requested.",
    retryable: false,
    httpStatus: 500,
    exitCode: 1,
  },

  // --- input: a value handed to an API is invalid ---
  invalid_run_id: {
    fault: 'input',
    meaning: 'A run id is not acceptable (empty, too long, a lone surrogate).',
    retryable: false,
    httpStatus: 400,
    exitCode: 2,
  },
  invalid_event: {
    fault: 'input',
    meaning: 'An event handed to append has a malformed envelope field (type, at, id, v).',
    retryable: false,
    httpStatus: 400,
    exitCode: 2,
  },
  invalid_event_data: {
    fault: 'input',
    meaning: 'Event data JSON cannot hold faithfully (undefined, NaN, a Date, a cycle...).',
    retryable: false,
    httpStatus: 400,
    exitCode: 2,
  },
  payload_too_deep: {
    fault: 'input',
    meaning: 'Event data nests deeper than MAX_EVENT_DATA_DEPTH.',
    retryable: false,
    httpStatus: 400,
    exitCode: 2,
  },
  payload_too_large: {
    fault: 'input',
    meaning: "An event's serialized payload is over the store's maxEventBytes.",
    retryable: false,
    httpStatus: 413,
    exitCode: 2,
  },
  duplicate_event_id: {
    fault: 'input',
    meaning: 'One event id appears twice in one append.',
    retryable: false,
    httpStatus: 400,
    exitCode: 2,
  },
  invalid_list_query: {
    fault: 'input',
    meaning: 'listRuns was given a limit or status list that cannot match.',
    retryable: false,
    httpStatus: 400,
    exitCode: 2,
  },
  invalid_run_metadata: {
    fault: 'input',
    meaning: "A run's metadata is not string keys to string values within the size limits.",
    retryable: false,
    httpStatus: 400,
    exitCode: 2,
  },
  invalid_run_options: {
    fault: 'input',
    meaning: "A run's scheduling options (priority, concurrencyKey) are out of range.",
    retryable: false,
    httpStatus: 400,
    exitCode: 2,
  },
  invalid_decision: {
    fault: 'input',
    meaning: 'A decision (approve, reject, retryTool...) has a malformed by, role, reason or args.',
    retryable: false,
    httpStatus: 400,
    exitCode: 2,
  },
  invalid_arguments: {
    fault: 'input',
    meaning: "Tool arguments do not match the tool's parameters schema (from the model, a node, or an edit).",
    retryable: false,
    httpStatus: 400,
    exitCode: 2,
    modelRepairable: true,
  },
  agent_mismatch: {
    fault: 'input',
    meaning:
      "A lease handed to drive() is for a run of another agent than the engine's; claim with `agents`.",
    retryable: false,
    httpStatus: 409,
    exitCode: 1,
  },
  run_not_found: {
    fault: 'input',
    meaning: 'No run has this id.',
    retryable: false,
    httpStatus: 404,
    exitCode: 2,
  },

  // --- concurrency / ownership: another writer or driver got there first ---
  concurrency: {
    fault: 'concurrency',
    meaning: "append found the run's head elsewhere than expected: reload the run and decide again.",
    retryable: true,
    httpStatus: 409,
    exitCode: 1,
  },
  run_id_taken: {
    fault: 'concurrency',
    meaning: 'A new run was started under an id another run already has.',
    retryable: false,
    httpStatus: 409,
    exitCode: 1,
  },
  run_busy: {
    fault: 'concurrency',
    meaning: 'Another driver holds a live lease on the run.',
    retryable: true,
    httpStatus: 409,
    exitCode: 1,
  },
  lease_lost: {
    fault: 'concurrency',
    meaning: "The caller's lease was taken over or released: it must stop acting on the run.",
    retryable: false,
    httpStatus: 409,
    exitCode: 1,
  },
  run_ended: {
    fault: 'concurrency',
    meaning: 'The run has ended (completed, failed, cancelled, expired); nothing can drive it.',
    retryable: false,
    httpStatus: 409,
    exitCode: 1,
  },
  run_state: {
    fault: 'concurrency',
    meaning: 'The operation needs the run in another state than the one it is in.',
    retryable: false,
    httpStatus: 409,
    exitCode: 1,
  },

  // --- store: the database failed ---
  store: {
    fault: 'store',
    meaning:
      'The store failed (connection lost, disk full, migration failed); retryable when the driver says so.',
    retryable: false,
    httpStatus: 503,
    exitCode: 1,
  },

  // --- provider: the model provider failed ---
  provider: {
    fault: 'provider',
    meaning: 'The model provider failed; retryable unless it answered 4xx (other than 408, 409, 429).',
    retryable: true,
    httpStatus: 502,
    exitCode: 1,
  },
  provider_connection: {
    fault: 'provider',
    meaning: 'The provider could not be reached (connection refused, reset, DNS).',
    retryable: true,
    httpStatus: 502,
    exitCode: 1,
  },
  provider_client: {
    fault: 'provider',
    meaning:
      "The provider's SDK refused the request before sending it (a client-side error); the request must change.",
    retryable: false,
    httpStatus: 500,
    exitCode: 1,
  },
  provider_timeout: {
    fault: 'provider',
    meaning: 'A model call ran past its time limit.',
    retryable: true,
    httpStatus: 504,
    exitCode: 1,
  },
  provider_incomplete: {
    fault: 'provider',
    meaning:
      'A model response stopped before its end (stream cut, truncated body); what arrived is discarded.',
    retryable: true,
    httpStatus: 502,
    exitCode: 1,
  },
  quota_exhausted: {
    fault: 'provider',
    meaning:
      "A shared provider quota (requests, tokens or concurrent calls per minute, or a 429's pause) has no room for the call; retry at retryAtMs.",
    retryable: true,
    httpStatus: 429,
    exitCode: 1,
  },

  // --- model behaviour: the model did not do what the agent needs ---
  model_misbehaviour: {
    fault: 'model',
    meaning: 'The model sent invalid or unknown tool calls more turns in a row than maxRepairs allows.',
    retryable: false,
    httpStatus: 502,
    exitCode: 1,
  },

  // --- tool: a tool failed or cannot be called ---
  unknown_tool: {
    fault: 'tool',
    meaning: 'A call names a tool the graph does not have.',
    retryable: false,
    httpStatus: 400,
    exitCode: 1,
    modelRepairable: true,
  },
  tool_failed: {
    fault: 'tool',
    meaning:
      'A tool failed; in a replay, the failure the log recorded, raised again with its recorded code and message.',
    retryable: false,
    httpStatus: 502,
    exitCode: 1,
  },
  sub_run_ended: {
    fault: 'tool',
    meaning:
      'A sub-agent called as a tool ended without an answer (its run failed, was cancelled or expired).',
    retryable: false,
    httpStatus: 502,
    exitCode: 1,
  },
  tool_not_run: {
    fault: 'tool',
    meaning:
      'A call was never executed (its batch ended another way); recorded in the result the node receives.',
    retryable: false,
    httpStatus: 409,
    exitCode: 1,
  },
  mcp_server_unavailable: {
    fault: 'tool',
    meaning:
      'An MCP server could not be started or reached (connect, list, reconnect); no call was sent to it: retry when it is back.',
    retryable: true,
    httpStatus: 503,
    exitCode: 1,
  },
  mcp_tool_error: {
    fault: 'tool',
    meaning:
      'An MCP server answered a tool call with isError: the tool ran and reported a failure, whose text is the message.',
    retryable: false,
    httpStatus: 502,
    exitCode: 1,
  },

  // --- approval: a human decision is missing, late, refused or does not fit ---
  approval_not_found: {
    fault: 'approval',
    meaning: 'The run is not waiting on the decision asked for (no such pending call).',
    retryable: false,
    httpStatus: 404,
    exitCode: 1,
  },
  approval_mismatch: {
    fault: 'approval',
    meaning: 'A decision does not match the call it claims to decide (tool, arguments, role, same person).',
    retryable: false,
    httpStatus: 409,
    exitCode: 1,
  },
  approval_already_decided: {
    fault: 'approval',
    meaning: 'The call was already decided.',
    retryable: false,
    httpStatus: 409,
    exitCode: 1,
  },
  approval_expired: {
    fault: 'approval',
    meaning: "The call's approval deadline has passed.",
    retryable: false,
    httpStatus: 410,
    exitCode: 1,
  },
  approval_rejected: {
    fault: 'approval',
    meaning: 'A person rejected the call; recorded in the result the node receives.',
    retryable: false,
    httpStatus: 403,
    exitCode: 1,
  },
  failed_by_operator: {
    fault: 'approval',
    meaning: 'An operator recorded a failure for a call whose outcome was unknown (failTool).',
    retryable: false,
    httpStatus: 409,
    exitCode: 1,
  },

  // --- log integrity: the log, or the log against the code, does not hold together ---
  corrupt_log: {
    fault: 'log_integrity',
    meaning: 'The stored log is damaged (gap, duplicate, unparsable row, shorter than its runs row).',
    retryable: false,
    httpStatus: 500,
    exitCode: 1,
  },
  unsupported_version: {
    fault: 'log_integrity',
    meaning: 'An event was written by a newer Kestrion than this one.',
    retryable: false,
    httpStatus: 500,
    exitCode: 1,
  },
  corrupt_snapshot: {
    fault: 'log_integrity',
    meaning:
      'A stored snapshot could not be used; the run was folded from its log (a warning, never thrown).',
    retryable: false,
    httpStatus: 500,
    exitCode: 1,
  },
  step_mismatch: {
    fault: 'log_integrity',
    meaning:
      "The code asks for a different step than the log recorded at that step key (the node's code changed).",
    retryable: false,
    httpStatus: 409,
    exitCode: 1,
  },
  replay_diverged: {
    fault: 'log_integrity',
    meaning:
      'A replay asked for more model calls or tool results than the log recorded, or the log does not start a run.',
    retryable: false,
    httpStatus: 409,
    exitCode: 1,
  },

  // --- cancellation / timeout / limits: the run or call was stopped ---
  cancelled: {
    fault: 'cancellation',
    meaning: 'The caller aborted the call; it no longer wants the answer.',
    retryable: false,
    httpStatus: 499,
    exitCode: 1,
  },
  run_interrupted: {
    fault: 'cancellation',
    meaning:
      'The run parked, ended or was abandoned while a node awaited this call: the node must stop (rethrow it).',
    retryable: false,
    httpStatus: 409,
    exitCode: 1,
  },
  tool_timeout: {
    fault: 'cancellation',
    meaning: 'A tool did not finish within its timeoutMs.',
    retryable: true,
    httpStatus: 504,
    exitCode: 1,
  },
  limit_exceeded: {
    fault: 'cancellation',
    meaning: 'The run reached a limit its caller set (maxSteps, maxEvents, maxCostUsd, maxTurns).',
    retryable: false,
    httpStatus: 422,
    exitCode: 1,
  },

  // --- application: code that is not Kestrion's threw ---
  error: {
    fault: 'application',
    meaning:
      'Application code (a node, a tool, a policy) threw something that is not a KestrionError; the message is `Name: message`.',
    retryable: false,
    httpStatus: 500,
    exitCode: 1,
  },
  recovery_failed: {
    fault: 'application',
    meaning:
      'recoverRuns() could not take a run over for a reason that is not a Kestrion error; cause holds it.',
    retryable: false,
    httpStatus: 500,
    exitCode: 1,
  },
} as const satisfies Record<string, ErrorCodeSpec>;

/** Whose fault an error is; also the file its class lives in (`errors/<fault>-errors.ts`). */
export type ErrorFault =
  | 'configuration'
  | 'input'
  | 'concurrency'
  | 'store'
  | 'provider'
  | 'model'
  | 'tool'
  | 'approval'
  | 'log_integrity'
  | 'cancellation'
  | 'application';

export interface ErrorCodeSpec {
  readonly fault: ErrorFault;
  readonly meaning: string;
  readonly retryable: boolean;
  readonly httpStatus: number;
  /** 1 error, 2 usage or configuration. */
  readonly exitCode: 1 | 2;
  readonly modelRepairable?: boolean;
}

/** Every code a `KestrionError` can carry. Closed: a new code is added to `ERROR_CODES` first. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes a class of this fault may carry. */
export type ErrorCodeOf<F extends ErrorFault> = {
  [C in ErrorCode]: (typeof ERROR_CODES)[C]['fault'] extends F ? C : never;
}[ErrorCode];

/**
 * The codes the engine writes into `ErrorInfo.code` directly (a failed or refused call, a run
 * over a limit), not by recording a thrown error. Byte-identical forever: golden logs and old
 * logs carry them, and the `Agent` and applications match on them. Any other `ErrorCode` can
 * also appear in an event, when an error of that code was thrown and recorded (`toErrorInfo`).
 */
export const EVENT_ERROR_CODES = [
  'error',
  'invalid_arguments',
  'unknown_tool',
  'approval_mismatch',
  'approval_rejected',
  'approval_expired',
  'failed_by_operator',
  'tool_not_run',
  'limit_exceeded',
] as const satisfies readonly ErrorCode[];

export type EventErrorCode = (typeof EVENT_ERROR_CODES)[number];

const SPECS: Readonly<Record<string, ErrorCodeSpec>> = ERROR_CODES;

/** Whether `code` (from an event, or any string) is one of the table's codes. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(SPECS, code);
}

/** The table's row for a code; undefined for a string that is not a code (an old log's). */
export function errorCodeSpec(code: string): ErrorCodeSpec | undefined {
  return isErrorCode(code) ? SPECS[code] : undefined;
}

/**
 * Whether a recorded tool failure is one the model can repair by calling again (an argument
 * that does not fit the schema, a tool that does not exist): decided by the table, so the
 * `Agent` never matches code strings itself. Accepts any recorded code (old logs included).
 */
export function isModelRepairable(code: string): boolean {
  return errorCodeSpec(code)?.modelRepairable === true;
}
