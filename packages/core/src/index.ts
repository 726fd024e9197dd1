// @kestrion/core — the public API. Every export here is a decision; keep the list explicit.
export {
  KestrionError,
  ConfigurationError,
  InvalidInputError,
  ConcurrencyError,
  RunBusyError,
  LeaseLostError,
  RunNotFoundError,
  CorruptLogError,
  UnsupportedVersionError,
  StoreError,
  PayloadTooLargeError,
  InvalidRunIdError,
  InvalidEventError,
  InvalidEventDataError,
  PayloadTooDeepError,
  CorruptSnapshotError,
  RecoveryFailedError,
} from './errors';
export { RunEndedError, RunIdTakenError } from './errors';
// The closed error-code table and the error classes added with it (docs/errors.md).
export {
  ERROR_CODES,
  EVENT_ERROR_CODES,
  isErrorCode,
  errorCodeSpec,
  isModelRepairable,
  httpStatusOf,
  exitCodeOf,
  UsageError,
  ScriptUnconsumedError,
  DuplicateEventIdError,
  InvalidListQueryError,
  InvalidDecisionError,
  InvalidArgumentsError,
  InfrastructureError,
  RunStatusError,
  ProviderConnectionError,
  ProviderClientError,
  ModelMisbehaviourError,
  RecordedToolError,
  ToolNotRunError,
  SubRunEndedError,
  ApprovalError,
  ApprovalRejectedError,
  FailedByOperatorError,
  ReplayDivergedError,
  LimitExceededError,
  UnexpectedError,
} from './errors';
export type { ErrorCode, ErrorCodeOf, ErrorCodeSpec, ErrorFault, EventErrorCode } from './errors';
export type { Json, JsonObject } from './util/json';
export { canonicalJson, findJsonProblem, formatJsonPath, MAX_JSON_DEPTH } from './util/json';
export type { JsonProblem, JsonPathSegment } from './util/json';
export { jsonHash } from './util/hash';
export { REDACTED, scrubSecrets, scrubError, scrubUrl, urlPassword } from './util/secret-scrub';
export type { Clock } from './ports/clock';
export { systemClock, FakeClock, isoAt } from './ports/clock';
export type { IdGenerator } from './ports/ids';
export { randomIds, SequentialIds, timeOrderedIds } from './ports/ids';
export type { EventCost, NewEvent, StoredEvent, RawEventRow } from './events/envelope';
export type {
  EventPayloads,
  EventType,
  WaitingReason,
  ExpiryOutcome,
  ErrorInfo,
  StatePatch,
} from './events/event-types';
export type { Upcaster, EventTypeSpec } from './events/event-registry';
export { EventRegistry, defaultEventRegistry } from './events/event-registry';
export type {
  RunState,
  RunStatus,
  ToolCallState,
  ToolCallStatus,
  LlmStepState,
  StepIdentity,
  RunTotals,
  ApprovalDecision,
} from './state/run-state';
export { TERMINAL_STATUSES, isTerminal } from './state/run-state';
export { FOLD_VERSION, fold, foldEvents, foldInto } from './state/fold';
export type {
  Store,
  RunRecord,
  Lease,
  LeaseRequest,
  AppendOptions,
  AppendResult,
  Snapshot,
  ListRunsQuery,
  RunPage,
  ReadOptions,
  ClaimRequest,
} from './store/store';
export { projectRunRecord } from './store/run-projection';
export { SNAPSHOTS_KEPT } from './store/store';
export type { Redactor, CodecOptions } from './store/event-codec';
export {
  encodeEvents,
  EventDecoder,
  assertValidRunId,
  patternRedactor,
  DEFAULT_MAX_EVENT_BYTES,
  MAX_RUN_ID_LENGTH,
  MAX_EVENT_DATA_DEPTH,
  MAX_EVENT_TYPE_LENGTH,
  MAX_EVENT_ID_LENGTH,
  encodeEventData,
  eventTypeProblem,
} from './store/event-codec';
export type { RunCursor } from './store/run-cursor';
export { encodeRunCursor, decodeRunCursor, isAfterCursor } from './store/run-cursor';
export { assertValidListQuery, assertDistinctEventIds } from './store/store-input-checks';
export { InMemoryStore } from './store/in-memory-store';
export type { InMemoryStoreOptions } from './store/in-memory-store';
export { loadRunState, snapshotProblem } from './store/load-run';
export type { LoadRunOptions, LoadWarningHandler } from './store/load-run';
export type { JsonSchema, ToolManifest, ToolManifestEntry } from './tools/manifest';
export type {
  ChatMessage,
  ModelToolSpec,
  ModelRequest,
  ModelResponse,
  ModelToolCall,
  ModelUsage,
  StopReason,
  Provider,
  CompleteOptions,
} from './providers/provider';
export { Engine } from './engine/engine';
export type { EngineOptions, StartOptions } from './engine/engine';
export { recoverRuns } from './worker/recover-runs';
export type { RecoveryReport, RecoveryFailure, RecoverOptions } from './worker/recover-runs';
export { AgentMismatchError, RunInterrupted } from './errors';
export { END, defineGraph } from './engine/graph';
export type { Graph, NodeFn, NodeResult, NodeContext } from './engine/graph';
export type {
  ToolDefinition,
  ToolInvocation,
  ToolCallRequest,
  ToolResult,
  ArgsValidator,
  ApprovalRequirement,
} from './engine/tool-definition';
export { ToolSuspension } from './engine/tool-definition';
export type { RunLimits } from './engine/run-driver';
export type { RunView, PendingApproval, UnknownOutcome } from './engine/run-view';
export { toRunView } from './engine/run-view';
export type { ApproveInput, RejectInput, OutcomeDecision } from './approvals/decisions';
export { requiredRoles, approvalBindingProblem } from './approvals/approval-policy';
export {
  StepMismatchError,
  ApprovalNotFoundError,
  ApprovalMismatchError,
  ApprovalAlreadyDecidedError,
  ApprovalExpiredError,
  RunStateError,
  ToolTimeoutError,
  UnknownToolError,
  UnknownNodeError,
} from './engine/engine-errors';
export {
  ProviderError,
  ProviderTimeoutError,
  ProviderCancelledError,
  IncompleteResponseError,
  isRetryableStatus,
} from './providers/provider-errors';
export type { ProviderErrorOptions } from './providers/provider-errors';
export {
  DEFAULT_PROVIDER_TIMEOUT_MS,
  DEFAULT_RETRY_POLICY,
  providerRetryPolicy,
  retryPolicy,
  retryDelayMs,
} from './providers/retry-policy';
export type { ProviderRetryOptions, RetryPolicy } from './providers/retry-policy';
export { parseRetryAfterMs } from './providers/retry-after';
export type { HeaderLookup } from './providers/retry-after';
export { runProviderCall } from './providers/provider-call';
export type { AttemptContext, ProviderCallOptions } from './providers/provider-call';
export { toolCallFromText, toolCallFromValue, MAX_TOOL_ARGUMENT_DEPTH } from './providers/tool-arguments';
export { DEFAULT_PRICING, priceOf, costOf } from './providers/pricing';
export type { ModelPrice, PricingTable } from './providers/pricing';
export type { ReplayReport, ReplayDivergence } from './engine/replay';
export type { RunObserver } from './engine/run-writer';
export { translateSdkError } from './providers/sdk-error-translation';
export type { SdkErrorClasses } from './providers/sdk-error-translation';
