import type { ErrorInfo, ExpiryOutcome, WaitingReason } from '../events/event-types';
import type { Json, JsonObject } from '../util/json';

/**
 * Who must approve a call: `true` (any approver), a role, a chain of roles (each must approve,
 * in order), or a function of the arguments returning one of those (`false`: no approval).
 */
export type ApprovalRequirement = boolean | string | string[] | ((args: Json) => boolean | string | string[]);

export interface ToolInvocation {
  runId: string;
  callId: string;
  /** Same for every attempt of one call: hand it to the system the tool changes. */
  idempotencyKey: string;
  attempt: number;
  /**
   * Aborted on timeout, or when this process's lease on the run is lost or has expired by its
   * own clock (another process may take the run over). A cancel does not abort a call in
   * flight: the driver stops at its next step boundary.
   */
  signal: AbortSignal;
  /**
   * Throws LeaseLostError unless this process still holds the run's lease by its own clock.
   * Call it right before the effect (after any slow preparation): a process paused past its
   * lease must not act, since another may already have recovered the run. Costs a clock read.
   */
  assertLeaseHeld(): void;
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object; validated before the approval gate. */
  parameters?: JsonObject;
  requiresApproval?: ApprovalRequirement;
  /**
   * Lets one person decide more than one step of an approval chain (default false: each step
   * of a chain, and an edit, needs another person).
   */
  allowSameApprover?: boolean;
  /** Safe to run again with the same idempotency key: crash recovery retries it on its own. */
  idempotent?: boolean;
  /** Wall-clock limit per attempt. */
  timeoutMs?: number;
  /** How long a person has to decide, counted from the first request. */
  approvalTimeoutMs?: number;
  /** What a passed deadline means (default `reject`: the refusal goes back to the node). */
  onApprovalTimeout?: ExpiryOutcome;
  /** A rejection ends the run (`fail`) or goes back to the node as a result (`return`, default). */
  onReject?: 'return' | 'fail';
  /**
   * What the tool is, part by part (`{ name, inputSchema, annotations }` for an MCP tool, each a
   * hash), when it can change outside this code (a remote server's tool): a value, or a function
   * asked for the tool's identity now (once per batch of calls). Recorded with every call
   * (`tool.requested.toolIdentity`); a call whose tool's identity differs from the recorded one
   * when it is about to run does not run: the run parks for a new approval whose `reason` names
   * the parts that changed (docs/approvals.md#pinned-tool-identity). A function that throws an
   * `InfrastructureError` (the system behind the tool is unreachable) abandons the drive: nothing
   * more is written and `resume` throws it.
   */
  identity?: ToolIdentity | (() => ToolIdentity | Promise<ToolIdentity>);
  invoke(args: Json, call: ToolInvocation): Promise<ToolReturn> | ToolReturn;
}

/** A tool's identity: part name to a value (a hash) that changes when that part changes. */
export type ToolIdentity = { [part: string]: string };

/** What a tool's `invoke` may return: its result, or one of the two markers that park the run. */
export type ToolReturn = Json | ToolSuspension | ToolOutcomeUnknown;

/**
 * Returned (not thrown) by a tool whose work waits on another run that waits on a person — a
 * sub-agent parked at an approval. The call is recorded `suspended`, the run parks, and a
 * later resume invokes the tool again with the same idempotency key once that run moved on.
 */
export class ToolSuspension {
  constructor(
    readonly waitingOn: string,
    readonly reason: WaitingReason,
  ) {}
}

/**
 * Returned (not thrown) by a tool that cannot tell whether its effect happened: the request was
 * sent and the connection to the system it calls was lost before an answer (an MCP server that
 * exited mid-call). The call is recorded `tool.outcome_unknown` with `reason` and the run parks
 * on `outcome_unknown`, exactly as after a crash: a person decides with `retryTool`,
 * `supplyToolResult` or `failTool` (docs/crash-semantics.md).
 */
export class ToolOutcomeUnknown {
  constructor(readonly reason: string) {}
}

export interface ToolCallRequest {
  tool: string;
  args: Json;
}

export type ToolResult =
  | { callId: string; tool: string; status: 'completed'; result: Json }
  | { callId: string; tool: string; status: 'failed'; error: ErrorInfo }
  | { callId: string; tool: string; status: 'rejected'; by: string; reason: string };

/** Validates model-supplied arguments against a tool's schema (ajv lives outside core). */
export type ArgsValidator = (
  tool: ToolDefinition,
  args: Json,
) => { ok: true } | { ok: false; errors: string[] };
