import { userInfo } from 'node:os';
import type { Agent } from '@kestrion/agent';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { type AgentMcpServerOptions, createAgentMcpServer } from './agent-mcp-server';
import { type HttpAgentServerOptions, identityFromAuth, listenHttp } from './http-agent-server';
import type { McpIdentity } from './identity';

/** What the agent's server options share, whatever the transport. */
export type ServeAgentCommon = Pick<AgentMcpServerOptions, 'description' | 'elicitApprovals' | 'serverInfo'>;

/** Over this process's stdin and stdout: one client, the process that started this one. */
export interface ServeAgentStdio extends ServeAgentCommon {
  transport: 'stdio';
  /**
   * Who decides approvals made through this server. Default: the operating-system user running
   * the process (`local:<user>`), with no roles: whoever can start this process can open its
   * store, which is the power to approve anyway (docs/trust-model.md).
   */
  identity?: McpIdentity;
}

/** Over Streamable HTTP, every request with a bearer token naming its identity and roles. */
export interface ServeAgentHttp extends ServeAgentCommon, HttpAgentServerOptions {
  transport: 'streamable-http';
}

export type ServeAgentOptions = ServeAgentStdio | ServeAgentHttp;

/** A running server: `close` stops it (and, for HTTP, ends every session). */
export interface ServedAgent {
  /** The endpoint (HTTP only). */
  url?: string;
  /** The port listened on (HTTP only). */
  port?: number;
  close(): Promise<void>;
}

/**
 * Serves an agent as an MCP server: a tool named after the agent runs it on an input, and
 * `get_status`, `approve`, `reject` and `resume` read and decide its runs. The one deciding is
 * the identity of the caller's token (HTTP) or of the stdio server, never a tool argument.
 */
export async function serveAgent(agent: Agent, options: ServeAgentOptions): Promise<ServedAgent> {
  const common = {
    ...(options.description !== undefined ? { description: options.description } : {}),
    ...(options.elicitApprovals !== undefined ? { elicitApprovals: options.elicitApprovals } : {}),
    ...(options.serverInfo !== undefined ? { serverInfo: options.serverInfo } : {}),
  };
  if (options.transport === 'stdio') {
    const identity = options.identity ?? { identity: `local:${userInfo().username}`, roles: [] };
    const server = createAgentMcpServer(agent, { ...common, identify: () => identity });
    await server.connect(new StdioServerTransport());
    return { close: () => server.close() };
  }
  const http = await listenHttp(
    () => createAgentMcpServer(agent, { ...common, identify: (extra) => identityFromAuth(extra.authInfo) }),
    options,
  );
  return { url: http.url, port: http.port, close: () => http.close() };
}
