// Every Kestrion error, grouped by whose fault it is (docs/errors.md). The codes are one closed
// table, ERROR_CODES in error-codes.ts.
export { ERROR_CODES, EVENT_ERROR_CODES, isErrorCode, errorCodeSpec, isModelRepairable } from './error-codes';
export type { ErrorCode, ErrorCodeOf, ErrorCodeSpec, ErrorFault, EventErrorCode } from './error-codes';
export { KestrionError, httpStatusOf, exitCodeOf } from './kestrion-error';
export {
  ConfigurationError,
  UnknownNodeError,
  UsageError,
  ScriptUnconsumedError,
} from './configuration-errors';
export {
  InvalidInputError,
  InvalidRunIdError,
  AgentMismatchError,
  RunNotFoundError,
  InvalidEventError,
  InvalidEventDataError,
  PayloadTooDeepError,
  PayloadTooLargeError,
  DuplicateEventIdError,
  InvalidListQueryError,
  InvalidRunMetadataError,
  InvalidRunOptionsError,
  InvalidDecisionError,
  InvalidArgumentsError,
} from './input-errors';
export {
  InfrastructureError,
  ConcurrencyError,
  RunIdTakenError,
  RunBusyError,
  LeaseLostError,
  RunStatusError,
  RunEndedError,
  RunStateError,
} from './concurrency-errors';
export { StoreError } from './store-errors';
export {
  isRetryableStatus,
  ProviderError,
  ProviderTimeoutError,
  ProviderCancelledError,
  IncompleteResponseError,
  ProviderConnectionError,
  ProviderClientError,
  QuotaExhaustedError,
} from './provider-errors';
export type { ProviderErrorOptions } from './provider-errors';
export { ModelMisbehaviourError } from './model-errors';
export { UnknownToolError, RecordedToolError, ToolNotRunError, SubRunEndedError } from './tool-errors';
export {
  ApprovalError,
  ApprovalNotFoundError,
  ApprovalMismatchError,
  ApprovalAlreadyDecidedError,
  ApprovalExpiredError,
  ApprovalRejectedError,
  FailedByOperatorError,
} from './approval-errors';
export {
  CorruptLogError,
  UnsupportedVersionError,
  CorruptSnapshotError,
  StepMismatchError,
  ReplayDivergedError,
} from './log-integrity-errors';
export { ToolTimeoutError, LimitExceededError, RunInterrupted } from './cancellation-errors';
export { UnexpectedError, RecoveryFailedError } from './application-errors';
