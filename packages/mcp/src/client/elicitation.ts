import type { JsonObject } from '@kestrion/core';

/** A server's question to the person behind this client (MCP elicitation, form mode). */
export interface McpElicitation {
  /** The configured name of the server asking. */
  server: string;
  message: string;
  /** A flat JSON Schema object of the answer's fields. */
  requestedSchema: JsonObject;
}

/** The person's answer: the fields (accept), a refusal (decline), or no answer (cancel). */
export type McpElicitationAnswer =
  | { action: 'accept'; content: Record<string, string | number | boolean | string[]> }
  | { action: 'decline' }
  | { action: 'cancel' };

/**
 * Answers servers' elicitation requests. Given to `McpToolset.connect`, the client declares the
 * elicitation capability (servers may then offer tools that ask); without it, it does not. The
 * answer reaches the run's log only through the tool's result.
 */
export type McpElicitationHandler = (
  request: McpElicitation,
) => McpElicitationAnswer | Promise<McpElicitationAnswer>;
