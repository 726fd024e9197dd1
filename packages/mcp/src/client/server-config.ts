import type { ApprovalRequirement } from '@kestrion/core';

/** What to change about one tool, or every tool whose name matches a pattern. */
export interface McpToolOverride {
  /** Replaces the policy derived from the tool's annotations (docs/mcp.md#annotations-and-approval). */
  requiresApproval?: ApprovalRequirement;
  /** Replaces the idempotence derived from the annotations: whether a crash may retry the call. */
  idempotent?: boolean;
  /** Offers the tool with this description instead of the server's. */
  description?: string;
}

/** What every server's configuration may set, whatever its transport. */
export interface McpServerCommon {
  /**
   * Prepended to each tool's name as the model sees it (default `<server name>_`, so tools of two
   * servers never clash). `''` keeps the server's names.
   */
  prefix?: string;
  /** Only tools whose names match one of these (names or `*` / `?` patterns) are offered. */
  include?: string[];
  /** Tools whose names match one of these are not offered. */
  exclude?: string[];
  /**
   * Per tool name or pattern (the server's names, without the prefix): every matching pattern
   * applies in the order written, then an exact name. Each field replaces what the annotations say.
   */
  tools?: Record<string, McpToolOverride>;
  /** How long one call may go without an answer (progress notifications reset it); default 60,000 ms. */
  callTimeoutMs?: number;
  /** How long starting or reaching the server and listing its tools may take; default 10,000 ms. */
  connectTimeoutMs?: number;
  /**
   * How old the tool listing may be when a call's tool identity is checked (at request, and
   * before it runs); older, the tools are listed again. Default 1,000 ms; 0 lists every time.
   */
  identityMaxAgeMs?: number;
  /** Attempts to connect again after the server went away, before it counts as unavailable (default 3). */
  reconnectAttempts?: number;
  /** Wait before the second attempt, doubled for each later one (default 200 ms). */
  reconnectDelayMs?: number;
}

/** A server started as a child process, spoken to over its stdin and stdout. */
export interface McpStdioServerConfig extends McpServerCommon {
  command: string;
  args?: string[];
  /** The child's environment: these variables on top of a safe default set (PATH, HOME, ...). */
  env?: Record<string, string>;
  cwd?: string;
  /** The child's stderr: `inherit` (default), `ignore`, or `pipe` (read it with `connection.stderr`). */
  stderr?: 'inherit' | 'ignore' | 'pipe';
}

/** A server reached over HTTP: Streamable HTTP (default), or the legacy HTTP+SSE transport. */
export interface McpHttpServerConfig extends McpServerCommon {
  url: string;
  transport?: 'streamable-http' | 'sse';
  /** Sent with every request (an `Authorization` header, for instance). */
  headers?: Record<string, string>;
}

/** One MCP server: a command to start (stdio) or a URL to reach. */
export type McpServerConfig = McpStdioServerConfig | McpHttpServerConfig;

export function isStdioServer(config: McpServerConfig): config is McpStdioServerConfig {
  return typeof (config as McpStdioServerConfig).command === 'string';
}
