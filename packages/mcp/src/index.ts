// @kestrion/mcp — the public API. Every export here is a decision; keep the list explicit.
export { McpToolset } from './client/mcp-toolset';
export type { McpToolsetOptions } from './client/mcp-toolset';
export { McpTool } from './client/mcp-tool';
export { McpServerConnection } from './client/server-connection';
export type { McpCallOutcome, McpCallOptions, McpConnectionOptions } from './client/server-connection';
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
export { recordableResult } from './client/tool-result';
export type { McpBlob, McpBlobSink, McpCallResult } from './client/tool-result';
export type { McpElicitation, McpElicitationAnswer, McpElicitationHandler } from './client/elicitation';
export { McpServerUnavailableError, McpToolError } from './errors/mcp-errors';
export { serveAgent } from './server/serve-agent';
export type {
  ServeAgentOptions,
  ServeAgentStdio,
  ServeAgentHttp,
  ServeAgentCommon,
  ServedAgent,
} from './server/serve-agent';
export { createAgentMcpServer } from './server/agent-mcp-server';
export type { AgentMcpServerOptions, McpRequestExtra } from './server/agent-mcp-server';
export { listenHttp, identityFromAuth } from './server/http-agent-server';
export type { HttpAgentServerOptions, HttpAgentServer } from './server/http-agent-server';
export { checkTokens, loadTokensFile, tokenVerifier, MIN_TOKEN_LENGTH } from './server/identity';
export type { McpIdentity, McpTokens } from './server/identity';
export { agentTools, runToolName, COMPANION_TOOLS } from './server/agent-tools';
