import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isStdioServer, type McpServerConfig } from './server-config';

/**
 * A fresh client transport for a server's configuration: a child process for `command`, else
 * Streamable HTTP (or the legacy HTTP+SSE transport with `transport: 'sse'`) to `url`. Built
 * anew for every connection, so a reconnect starts from the configuration alone.
 */
export function createClientTransport(config: McpServerConfig): Transport {
  if (isStdioServer(config))
    return new StdioClientTransport({
      command: config.command,
      ...(config.args ? { args: config.args } : {}),
      env: { ...getDefaultEnvironment(), ...(config.env ?? {}) },
      ...(config.cwd ? { cwd: config.cwd } : {}),
      stderr: config.stderr ?? 'inherit',
    });
  const url = new URL(config.url);
  const headers = config.headers ?? {};
  if (config.transport === 'sse')
    return new SSEClientTransport(url, {
      requestInit: { headers },
      eventSourceInit: {
        fetch: (input, init) =>
          fetch(input, { ...init, headers: { ...(init?.headers as object), ...headers } }),
      },
    });
  return new StreamableHTTPClientTransport(url, { requestInit: { headers } });
}
