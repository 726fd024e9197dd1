// @kestrion/core/store-kit — what a Store implementer needs beyond the application entry: the
// codec (validation, serialization, upcasting), the runs projection, cursors, input checks and
// the append precedence every store shares. The contract types are re-exported for one import.
import './util/async-dispose';
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
export { SNAPSHOTS_KEPT } from './store/store';
export type { RawEventRow } from './events/envelope';
export { FOLD_VERSION, fold, foldEvents } from './state/fold';
export { projectRunRecord } from './store/run-projection';
export type { CodecOptions } from './store/event-codec';
export {
  encodeEvents,
  EventDecoder,
  assertValidRunId,
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
export type { RunMetadata } from './store/run-metadata';
export { runMetadataProblem, assertValidRunMetadata, matchesRunMetadata } from './store/run-metadata';
export { loadRunState, snapshotProblem } from './store/load-run';
export type { LoadRunOptions } from './store/load-run';
export { scrubSecrets, scrubError, scrubUrl, urlPassword } from './util/secret-scrub';
export {
  decideAppend,
  resendSpan,
  isSameEvents,
  assertLeaseCurrent,
  headMismatch,
} from './store/append-precedence';
export type { AppendHead, AppendDecision, AppendCheck } from './store/append-precedence';
// A QuotaStore's window rule, for implementations (the port itself is in the application entry).
export type {
  QuotaStore,
  QuotaLimits,
  QuotaRequest,
  QuotaGrant,
  QuotaDenial,
  QuotaUsage,
} from './quota/quota-store';
export { QUOTA_DEFAULT_HOLD_MS, QUOTA_MARGIN_MS, QUOTA_WINDOW_MS } from './quota/quota-store';
export type { QuotaEntry, QuotaTotals } from './quota/quota-window';
export {
  assertReservable,
  countedUntil,
  isCounted,
  isInFlight,
  quotaDenial,
  quotaRefusals,
  quotaTotals,
} from './quota/quota-window';
