// @kestrion/mcp — the public API. Every export here is a decision; keep the list explicit.

// MCP servers' tools in an Agent.
export { McpToolset } from './client/mcp-toolset';
export type { McpToolsetOptions } from './client/mcp-toolset';
export type {
  McpServerConnection,
  McpCallOutcome,
  McpCallOptions,
  McpConnectionOptions,
} from './client/server-connection';
export type {
  McpServerConfig,
  McpStdioServerConfig,
  McpHttpServerConfig,
  McpServerCommon,
  McpToolOverride,
} from './client/server-config';
export { effectiveHints, policyFromHints, resolvePolicy } from './client/tool-policy';
export type { McpToolHints, EffectiveHints, McpToolPolicy } from './client/tool-policy';
export { mcpToolIdentity } from './client/tool-identity';
export type { ListedTool } from './client/tool-identity';
export type { McpBlob, McpBlobSink, McpCallResult } from './client/tool-result';
export type { McpElicitation, McpElicitationAnswer, McpElicitationHandler } from './client/elicitation';

// An Agent as an MCP server.
export { serveAgent } from './server/serve-agent';
export type {
  ServeAgentOptions,
  ServeAgentStdio,
  ServeAgentHttp,
  ServeAgentCommon,
  ServedAgent,
} from './server/serve-agent';
export type { HttpAgentServerOptions } from './server/http-agent-server';
export { createAgentMcpServer } from './server/agent-mcp-server';
export type { AgentMcpServerOptions, McpRequestExtra } from './server/agent-mcp-server';
export { checkTokens, loadTokensFile } from './server/identity';
export type { McpIdentity, McpTokens } from './server/identity';

export { McpServerUnavailableError, McpToolError } from './errors/mcp-errors';
