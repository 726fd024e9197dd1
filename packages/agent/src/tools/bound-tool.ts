import type { JsonObject, JsonSchema } from '@kestrion/core';
import type { ApprovalRequirement } from '../decorators/tool-options';

/**
 * What a tool receives besides its arguments: declare a parameter of this type (anywhere in the
 * list; kestrion-compile records its position) and the runtime passes it there.
 */
export interface ToolContext {
  /** Stable across retries of the same call: hand it to the system the tool changes. */
  idempotencyKey?: string;
  runId?: string;
  callId?: string;
  /** 1 for the first attempt; more after a crash retried an idempotent tool, or a person did. */
  attempt?: number;
  /**
   * Aborted when the call times out, or when this process lost its lease on the run (a renewal
   * was refused, or the lease expired by this process's clock: another process may take over).
   * Cancelling a run does not abort a call in flight; the driver stops at its next step.
   */
  signal?: AbortSignal;
  /**
   * Throws `LeaseLostError` unless this process still holds the run's lease by its own clock.
   * Call it right before an effect you cannot take back, after any slow preparation: a process
   * paused past its lease (GC, SIGSTOP, a frozen VM) must not act on a run another process
   * may already have recovered.
   */
  assertLeaseHeld?: () => void;
}

/** A decorated method paired with its manifest entry: everything a tool loop needs. */
export interface BoundTool {
  /** `<agent id>.<method>`, the manifest key. */
  key: string;
  /** The name models see. */
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: JsonObject;
  returns: JsonSchema;
  /** The model's argument names in declaration order, from the manifest (the order `invoke` passes them in). */
  parameterNames: readonly string[];
  requiresApproval: ApprovalRequirement;
  idempotent: boolean;
  timeoutMs: number | undefined;
  /** The approval options of `@tool`, as given (absent when not set). */
  approvalTimeoutMs?: number;
  onApprovalTimeout?: 'reject' | 'fail' | 'expire';
  onReject?: 'return' | 'fail';
  allowSameApprover?: boolean;
  /**
   * Calls the method with the argument object spread into positional parameters in the
   * manifest's order, and `ctx` at the manifest's `contextIndex` (not at all when the method
   * takes none). Validate first: `invoke` trusts its input.
   */
  invoke(args: object, ctx?: ToolContext): Promise<unknown>;
}
