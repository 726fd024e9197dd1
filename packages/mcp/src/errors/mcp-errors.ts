import { InfrastructureError, KestrionError } from '@kestrion/core';

/**
 * An MCP server could not be started or reached: connecting, listing its tools, or reconnecting
 * after it went away. Nothing was sent to it, so no tool ran. Retryable: try again when the
 * server is back. An `InfrastructureError`: met while a run is driven (asking a tool's
 * identity), it abandons the drive without writing anything, and `resume` throws it.
 */
export class McpServerUnavailableError extends InfrastructureError {
  constructor(
    readonly server: string,
    detail: string,
    options: { cause?: unknown } = {},
  ) {
    super(
      'mcp_server_unavailable',
      `MCP server ${JSON.stringify(server)} is unavailable: ${detail}; nothing was sent to it. Start it (or fix its address in the config) and try again`,
      options,
    );
  }
}

/**
 * An MCP server answered a tool call with `isError: true` (or a JSON-RPC error): the tool ran,
 * or refused, and reported a failure. Recorded in `tool.failed` (code `mcp_tool_error`) with the
 * server's text as the message; the model reads it like any tool failure.
 */
export class McpToolError extends KestrionError {
  constructor(
    readonly server: string,
    readonly tool: string,
    detail: string,
    options: { cause?: unknown } = {},
  ) {
    super('mcp_tool_error', `${server}/${tool} failed: ${detail}`, options);
  }
}
