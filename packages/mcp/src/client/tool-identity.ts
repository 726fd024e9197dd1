import type { ToolIdentity } from '@kestrion/core';
import { stableHash } from '../util/stable-hash';
import { effectiveHints, type McpToolHints } from './tool-policy';

/** A tool as a server lists it: what its identity is made of. */
export interface ListedTool {
  name: string;
  inputSchema: object;
  annotations?: McpToolHints;
}

/**
 * The identity pinned into every call of an MCP tool: its name, the hash of its input schema,
 * and the hash of its effective behaviour hints (a missing hint counts as the specification's
 * default, so spelling a default out is not a change; a title or other annotation is not part of
 * it). A call whose tool's identity differs when it is about to run does not run.
 */
export function mcpToolIdentity(tool: ListedTool): ToolIdentity {
  return {
    name: tool.name,
    inputSchema: stableHash(tool.inputSchema),
    annotations: stableHash(effectiveHints(tool.annotations)),
  };
}
