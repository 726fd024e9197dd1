import { ConfigurationError, type ToolDefinition } from '@kestrion/core';
import { globMatcher } from '../util/glob';
import type { McpElicitationHandler } from './elicitation';
import { McpTool } from './mcp-tool';
import type { McpServerConfig } from './server-config';
import { McpServerConnection } from './server-connection';
import { overridesFor } from './tool-policy';
import type { McpBlobSink } from './tool-result';

/** What `McpToolset.connect` needs: the servers, and how to answer what they ask. */
export interface McpToolsetOptions {
  /** The servers by name; the name prefixes their tools (`<name>_<tool>`) unless `prefix` says otherwise. */
  servers: Record<string, McpServerConfig>;
  /** Answers servers' elicitation requests; without it the client does not offer elicitation. */
  onElicitation?: McpElicitationHandler;
  /** Where images, audio and blob resources go instead of the run's log. */
  blobs?: McpBlobSink;
  /** How this client introduces itself to servers (default `kestrion`). */
  clientInfo?: { name: string; version: string };
}

const NAME_LIMIT = 64;

/**
 * MCP servers' tools as engine tool definitions, for `new Agent(..., { tools: toolset.tools })`.
 * Built from configuration alone: a process that resumes a run connects again from the same
 * configuration. Close it (or `await using`) to stop stdio servers and end HTTP sessions.
 */
export class McpToolset implements AsyncDisposable {
  private constructor(
    readonly tools: ToolDefinition[],
    private readonly connections: Map<string, McpServerConnection>,
  ) {}

  /**
   * Connects to every server and lists its tools. Throws `McpServerUnavailableError` (retryable)
   * naming the first server that cannot be reached, after closing the others, and a
   * `ConfigurationError` for two tools offered under one name.
   */
  static async connect(options: McpToolsetOptions): Promise<McpToolset> {
    const connections = new Map(
      Object.entries(options.servers).map(([name, config]) => [
        name,
        new McpServerConnection(name, config, {
          ...(options.onElicitation ? { onElicitation: options.onElicitation } : {}),
          ...(options.clientInfo ? { clientInfo: options.clientInfo } : {}),
        }),
      ]),
    );
    const results = await Promise.allSettled([...connections.values()].map((c) => c.connect()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await Promise.all([...connections.values()].map((c) => c.close()));
      throw failed.reason;
    }
    const tools = [...connections.values()].flatMap((c) => toolsOf(c, options.blobs));
    const seen = new Map<string, string>();
    for (const t of tools as McpTool[]) {
      const other = seen.get(t.name);
      if (other !== undefined) {
        await Promise.all([...connections.values()].map((c) => c.close()));
        throw new ConfigurationError(
          `two MCP tools are offered as ${JSON.stringify(t.name)} (${other} and ${t.serverTool}); give the servers distinct prefixes or exclude one`,
        );
      }
      seen.set(t.name, t.serverTool);
    }
    return new McpToolset(tools, connections);
  }

  /** One server's connection (its tools as listed, the stdio child's pid). */
  server(name: string): McpServerConnection {
    const c = this.connections.get(name);
    if (!c)
      throw new ConfigurationError(
        `no MCP server named ${JSON.stringify(name)}; servers: ${[...this.connections.keys()].join(', ')}`,
      );
    return c;
  }

  /** Stops stdio servers and closes every connection. */
  async close(): Promise<void> {
    await Promise.all([...this.connections.values()].map((c) => c.close()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** The tools of one connected server that the configuration offers, named as the model sees them. */
function toolsOf(connection: McpServerConnection, blobs: McpBlobSink | undefined): McpTool[] {
  const config = connection.config;
  const include = (config.include ?? ['*']).map(globMatcher);
  const exclude = (config.exclude ?? []).map(globMatcher);
  const prefix = config.prefix ?? `${connection.name}_`;
  return [...connection.tools.keys()]
    .filter((name) => include.some((m) => m(name)) && !exclude.some((m) => m(name)))
    .map(
      (name) =>
        new McpTool(
          connection,
          name,
          exposedName(prefix, name),
          overridesFor(name, config.tools),
          config.tools,
          blobs,
        ),
    );
}

/** A name every provider accepts: letters, digits, `_` and `-`, at most 64 characters. */
function exposedName(prefix: string, name: string): string {
  return `${prefix}${name}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, NAME_LIMIT);
}
