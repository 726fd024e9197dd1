import type { JsonObject, JsonSchema } from '@kestrion/core';
import type { ApprovalRequirement } from '../decorators/tool-options';

/** What a tool receives besides its arguments, passed as the argument after its declared ones. */
export interface ToolContext {
  /** Stable across retries of the same call: hand it to the system the tool changes. */
  idempotencyKey?: string;
  runId?: string;
  callId?: string;
  /** Aborted when the call times out or the run is cancelled. */
  signal?: AbortSignal;
}

/** A decorated method paired with its manifest entry: everything a tool loop needs. */
export interface BoundTool {
  /** `Class.method`, the manifest key. */
  key: string;
  /** The name models see. */
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: JsonObject;
  returns: JsonSchema;
  /** Parameter names in declaration order (the order `invoke` passes them in). */
  parameterNames: readonly string[];
  requiresApproval: ApprovalRequirement;
  idempotent: boolean;
  timeoutMs: number | undefined;
  /**
   * Calls the method with the argument object spread into positional parameters, in manifest
   * order, followed by `ctx`. Validate first: `invoke` trusts its input.
   */
  invoke(args: object, ctx?: ToolContext): Promise<unknown>;
}
