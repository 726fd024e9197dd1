import type { Json, JsonObject } from '../util/json';
import type { RunMetadata } from '../store/run-metadata';

/** Why a run is parked waiting for a person. */
export type WaitingReason = 'approval' | 'outcome_unknown' | 'input';

/** What happens when an approval deadline passes. */
export type ExpiryOutcome = 'reject' | 'fail' | 'expire';

export interface ErrorInfo {
  code: string;
  message: string;
  [key: string]: Json;
}

/**
 * `state.patched` carries a delta, never the whole state: `set` replaces keys, `append`
 * pushes onto array keys, `unset` removes keys. Storage grows with work, not quadratically.
 */
export interface StatePatch {
  set?: JsonObject;
  append?: { [key: string]: Json[] };
  unset?: string[];
}

/** The payload of every event type Kestrion writes, by type name. */
export interface EventPayloads {
  /**
   * `meta`: free JSON the engine records and never reads. `metadata`: string labels the runs
   * projection keeps and `listRuns` filters by (validated on append, see run-metadata.ts).
   */
  'run.started': {
    agent: string;
    input: Json;
    parentRunId?: string;
    limits?: JsonObject;
    meta?: JsonObject;
    metadata?: RunMetadata;
    /** Claim order among runnable runs (higher first; default 0). */
    priority?: number;
    /** Runs with one key are limited together by a worker's per-key limit (e.g. one customer). */
    concurrencyKey?: string;
  };
  'run.input': { message: Json };
  /**
   * v2: `patch` is the state delta of the node just left, so a transition between nodes is one
   * event (v1 logs record it as `state.patched` then `node.entered`; both fold the same).
   */
  'node.entered': { node: string; visit: number; patch?: StatePatch };
  'state.patched': { node: string; patch: StatePatch };
  'llm.requested': { stepKey: string; model: string; attempt: number };
  'llm.completed': { stepKey: string; response: Json };
  'llm.failed': { stepKey: string; error: ErrorInfo; attempt: number };
  /** `toolIdentity`: the tool's identity when it declares one (a pinned MCP tool), absent otherwise. */
  'tool.requested': {
    callId: string;
    stepKey: string;
    tool: string;
    args: Json;
    argsHash: string;
    toolIdentity?: { [part: string]: string };
  };
  /**
   * `reason` and `toolIdentity` are set when the call is asked about again because its tool
   * changed since it was requested: earlier grants are void, and `toolIdentity` is what a new
   * approval approves.
   */
  'approval.requested': {
    callId: string;
    tool: string;
    argsHash: string;
    roles: string[];
    deadline?: string;
    reason?: string;
    toolIdentity?: { [part: string]: string };
  };
  'approval.granted': {
    callId: string;
    /** The tool the approver saw: a grant for another tool never runs this call. */
    tool: string;
    by: string;
    role?: string;
    argsHash: string;
    editedArgs?: Json;
    editedArgsHash?: string;
    /**
     * v2, with an edit: the chain the edited arguments need (the policy evaluated on them when
     * the decision was made), and whether this grant counts as its first step (the editor
     * carries its first role). A v1 edit kept the chain it was requested with.
     */
    roles?: string[];
    counted?: boolean;
    /** True when this grant completes the call's approval chain. */
    complete: boolean;
  };
  /** `reason` is absent when the person gave none. */
  'approval.rejected': { callId: string; by: string; role?: string; reason?: string };
  'approval.expired': { callId: string; outcome: ExpiryOutcome };
  /** `owner`: the lease owner (process) that ran this attempt (absent in older logs). */
  'tool.started': { callId: string; attempt: number; idempotencyKey: string; owner?: string };
  'tool.completed': { callId: string; result: Json; by?: string };
  'tool.failed': { callId: string; error: ErrorInfo; by?: string };
  /** `reason`: absent after a crash; set when the tool itself could not tell (`ToolOutcomeUnknown`). */
  'tool.outcome_unknown': { callId: string; attempt: number; reason?: string };
  /** A person chose to run a tool again after its outcome was unknown. */
  'tool.retry_approved': { callId: string; by: string };
  /** The call is waiting on another run (a sub-agent) that waits on a person. */
  'tool.suspended': { callId: string; waitingOn: string; reason: WaitingReason };
  'run.waiting': { reason: WaitingReason; node?: string };
  /**
   * A model call found its provider quota full (`QuotaExhaustedError`): the run holds nothing
   * until `untilMs` (epoch ms), when it is due again; the node runs again then. `reason` is the
   * bucket's ('requests', 'tokens', 'concurrency', 'paused').
   */
  'run.throttled': { node: string; bucket: string; reason: string; untilMs: number };
  'run.completed': { output: Json };
  'run.failed': { error: ErrorInfo };
  'run.cancel_requested': { by: string; reason?: string };
  'run.cancelled': { by: string };
  /**
   * v2: `revokedApprovals` lists the calls whose grants were copied from the source run but
   * do not carry over: a grant authorises one execution in one run, so the fork asks again.
   */
  'run.forked': { fromRunId: string; atSeq: number; revokedApprovals?: string[] };
}

export type EventType = keyof EventPayloads;
