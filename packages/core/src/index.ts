// @kestrion/core — the application entry: what a program that runs agents needs. Every export
// here is a decision; keep the list explicit. Implementers have their own entries:
// `@kestrion/core/store-kit` (a Store) and `@kestrion/core/provider-kit` (a Provider).
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
  InvalidRunMetadataError,
  InvalidRunOptionsError,
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
  QuotaExhaustedError,
} from './errors';
export type { ErrorCode, ErrorCodeOf, ErrorCodeSpec, ErrorFault, EventErrorCode } from './errors';
export type { Json, JsonObject } from './util/json';
export { REDACTED } from './util/secret-scrub';
export type { Clock } from './ports/clock';
export { systemClock, FakeClock } from './ports/clock';
export type { IdGenerator } from './ports/ids';
export { randomIds, SequentialIds, timeOrderedIds } from './ports/ids';
export type { EventCost, NewEvent, StoredEvent } from './events/envelope';
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
export type { RunMetadata } from './store/run-metadata';
export {
  MAX_RUN_METADATA_ENTRIES,
  MAX_RUN_METADATA_KEY_LENGTH,
  MAX_RUN_METADATA_VALUE_LENGTH,
} from './store/run-metadata';
export type { Redactor } from './store/event-codec';
export { patternRedactor } from './store/event-codec';
export { InMemoryStore } from './store/in-memory-store';
export type { InMemoryStoreOptions } from './store/in-memory-store';
export type { LoadWarningHandler } from './store/load-run';
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
  ProviderTool,
  CompleteOptions,
  RetryInfo,
} from './providers/provider';
export type {
  QuotaStore,
  QuotaLimits,
  QuotaRequest,
  QuotaGrant,
  QuotaDenial,
  QuotaDenialReason,
  QuotaUsage,
} from './quota/quota-store';
export {
  QUOTA_WINDOW_MS,
  QUOTA_MARGIN_MS,
  QUOTA_DEFAULT_HOLD_MS,
  QUOTA_CONCURRENCY_RETRY_MS,
} from './quota/quota-store';
export { InMemoryQuotaStore } from './quota/in-memory-quota-store';
export { withQuota } from './quota/with-quota';
export type { WithQuotaOptions } from './quota/with-quota';
export { estimatePromptTokens } from './quota/quota-estimate';
export { Engine } from './engine/engine';
export type { DriveOptions, EngineOptions, StartOptions } from './engine/engine';
export type { SchedulingOptions } from './engine/scheduling-options';
export { MAX_RUN_PRIORITY, MAX_CONCURRENCY_KEY_LENGTH } from './engine/scheduling-options';
export { recoverRuns } from './worker/recover-runs';
export { AgentMismatchError, RunInterrupted } from './errors';
export type { RecoveryReport, RecoveryFailure, RecoverOptions } from './worker/recover-runs';
export { END, defineGraph } from './engine/graph';
export type { Graph, NodeFn, NodeResult, NodeContext } from './engine/graph';
export type {
  ToolDefinition,
  ToolInvocation,
  ToolCallRequest,
  ToolResult,
  ArgsValidator,
  ApprovalRequirement,
  ToolIdentity,
  ToolReturn,
} from './engine/tool-definition';
export { ToolSuspension, ToolOutcomeUnknown } from './engine/tool-definition';
export type { RunLimits } from './engine/run-driver';
export type { RunView, PendingApproval, UnknownOutcome } from './engine/run-view';
export { traceRun } from './trace/run-trace';
export type {
  RunTrace,
  TraceSpan,
  ModelCallSpan,
  ToolCallSpan,
  WaitSpan,
  ApprovalDecisionSpan,
} from './trace/run-trace';
export type { ApproveInput, RejectInput, OutcomeDecision } from './approvals/decisions';
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
} from './providers/provider-errors';
export type { ReplayReport, ReplayDivergence } from './engine/replay';
export type { RunObserver } from './engine/run-writer';
