import type { Stream } from 'node:stream';
import type { JsonObject, ToolIdentity } from '@kestrion/core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ElicitRequestSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { McpServerUnavailableError, McpToolError } from '../errors/mcp-errors';
import { type CallFailure, describeError, failureOf } from './call-failure';
import { createClientTransport } from './client-transport';
import type { McpElicitationHandler } from './elicitation';
import type { McpServerConfig } from './server-config';
import { mcpToolIdentity, type ListedTool } from './tool-identity';
import type { McpCallResult } from './tool-result';

/** What a call came to: the server's answer, or a reason nobody can tell whether the tool ran. */
export type McpCallOutcome =
  { kind: 'answered'; result: McpCallResult } | { kind: 'unknown'; reason: string };

/** How this client presents itself, and what it answers for servers. */
export interface McpConnectionOptions {
  clientInfo?: { name: string; version: string };
  onElicitation?: McpElicitationHandler;
}

/** Options of one call. */
export interface McpCallOptions {
  signal?: AbortSignal;
  /** Passed to the server in `_meta['io.kestrion/idempotency-key']`; the same for every attempt of one call. */
  idempotencyKey?: string;
  /** The tool may be run again with no further effect: a call whose outcome is unknown is sent again. */
  repeatable: boolean;
}

const IDEMPOTENCY_META_KEY = 'io.kestrion/idempotency-key';
const CLIENT_INFO = { name: 'kestrion', version: '0.1.0' };

/**
 * One MCP server, connected from its configuration (never from anything remembered): the
 * client, its tool listing, and reconnecting when the server went away. A call sent to a
 * server that then disappears is reported as `unknown`, never as failed: the tool may have run.
 */
export class McpServerConnection {
  private client: Client | undefined;
  private transport: Transport | undefined;
  private connecting: Promise<Client> | undefined;
  private listing = new Map<string, ListedTool & { description?: string; title?: string }>();
  private listedAtMs = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(
    readonly name: string,
    readonly config: McpServerConfig,
    private readonly options: McpConnectionOptions = {},
  ) {}

  /** Connects and lists the tools; `McpServerUnavailableError` when the server cannot be reached. */
  async connect(): Promise<void> {
    await this.ready();
  }

  /** The process id of a stdio server while it runs. */
  get pid(): number | undefined {
    const t = this.transport as { pid?: number | null } | undefined;
    return t?.pid ?? undefined;
  }

  /** A stdio server's stderr, when the configuration asked for `pipe`. */
  get stderr(): Stream | null {
    return (this.transport as { stderr?: Stream | null } | undefined)?.stderr ?? null;
  }

  /** The tools as last listed (the server's names). */
  get tools(): ReadonlyMap<string, ListedTool & { description?: string; title?: string }> {
    return this.listing;
  }

  /**
   * The identity of `tool` as the server lists it now (listed again when the listing is older
   * than `identityMaxAgeMs`); `{}` for a tool it no longer lists.
   */
  async identityOf(tool: string): Promise<ToolIdentity> {
    const maxAge = this.config.identityMaxAgeMs ?? 1_000;
    if (!this.client || performance.now() - this.listedAtMs > maxAge) await this.refresh();
    const listed = this.listing.get(tool);
    return listed ? mcpToolIdentity(listed) : {};
  }

  /** Lists the tools again (reconnecting first when the server went away). */
  async refresh(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const client = await this.ready();
      try {
        await this.list(client);
        return;
      } catch (error) {
        const failure = failureOf(error);
        if (failure === 'answered' || attempt > 0)
          throw this.unavailable(`listing its tools failed (${describeError(error)})`, error);
        this.drop(client);
      }
    }
  }

  /**
   * Calls `tool`. A failure before the request left is retried once on a new connection, then is
   * `McpServerUnavailableError`; an error the server answered is `McpToolError`; a request that
   * left and got no answer (the connection closed, no answer in time) is `unknown`, after the
   * connection is re-established, unless the tool is repeatable: then it is sent again.
   */
  async call(tool: string, args: JsonObject, options: McpCallOptions): Promise<McpCallOutcome> {
    const reconnects = this.config.reconnectAttempts ?? 3;
    for (let attempt = 0; ; attempt++) {
      const client = await this.ready();
      try {
        const result = await client.callTool(
          {
            name: tool,
            arguments: args,
            ...(options.idempotencyKey ? { _meta: { [IDEMPOTENCY_META_KEY]: options.idempotencyKey } } : {}),
          },
          undefined,
          {
            timeout: this.config.callTimeoutMs ?? 60_000,
            resetTimeoutOnProgress: true,
            ...(options.signal ? { signal: options.signal } : {}),
          },
        );
        return { kind: 'answered', result: result as McpCallResult };
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason ?? error;
        const failure: CallFailure = failureOf(error);
        if (failure === 'answered')
          throw new McpToolError(this.name, tool, describeError(error), { cause: error });
        if (failure === 'not_sent') {
          this.drop(client);
          if (attempt < 1) continue;
          throw this.unavailable(`the call to ${tool} could not be sent (${describeError(error)})`, error);
        }
        // Closed, or no answer from a server that may be gone (HTTP has no connection to lose).
        if (failure === 'closed' || !(await this.alive(client))) this.drop(client);
        if (options.repeatable && attempt < reconnects) continue;
        const after = await this.ready().then(
          () => 'the connection was re-established',
          (e: unknown) => `reconnecting failed: ${describeError(e)}`,
        );
        return {
          kind: 'unknown',
          reason: `MCP server ${this.name}: ${tool} was sent but no answer came (${describeError(error)}); ${after}`,
        };
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    await client?.close().catch(() => undefined);
  }

  /** The connected client, connecting (with retries) when there is none. Single flight. */
  private ready(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    if (this.closed) return Promise.reject(this.unavailable('the connection was closed by this process'));
    this.connecting ??= this.connectWithRetries().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connectWithRetries(): Promise<Client> {
    const attempts = Math.max(1, this.config.reconnectAttempts ?? 3);
    let delay = this.config.reconnectDelayMs ?? 200;
    let last: unknown;
    for (let i = 0; i < attempts; i++) {
      if (i > 0) {
        await new Promise((r) => setTimeout(r, delay));
        delay *= 2;
      }
      try {
        return await this.connectOnce();
      } catch (error) {
        last = error;
      }
    }
    throw this.unavailable(
      `${attempts} attempt(s) to connect failed, the last with: ${describeError(last)}`,
      last,
    );
  }

  private async connectOnce(): Promise<Client> {
    const transport = createClientTransport(this.config);
    const elicit = this.options.onElicitation;
    const client = new Client(this.options.clientInfo ?? CLIENT_INFO, {
      capabilities: elicit ? { elicitation: { form: {} } } : {},
    });
    if (elicit)
      client.setRequestHandler(ElicitRequestSchema, async (request) => {
        const p = request.params as { message: string; requestedSchema?: object; mode?: string };
        const answer = await elicit({
          server: this.name,
          message: p.message,
          requestedSchema: (p.requestedSchema ?? {}) as JsonObject,
        });
        return answer as never;
      });
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      this.listedAtMs = Number.NEGATIVE_INFINITY;
    });
    client.onclose = () => {
      if (this.client === client) this.client = undefined;
    };
    const timeout = this.config.connectTimeoutMs ?? 10_000;
    try {
      await client.connect(transport, { timeout });
      await this.list(client, timeout);
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    }
    this.transport = transport;
    this.client = client;
    return client;
  }

  private async list(client: Client, timeout = this.config.connectTimeoutMs ?? 10_000): Promise<void> {
    const listing = new Map<string, ListedTool & { description?: string; title?: string }>();
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : {}, { timeout });
      for (const t of page.tools)
        listing.set(t.name, {
          name: t.name,
          inputSchema: t.inputSchema,
          ...(t.annotations ? { annotations: t.annotations } : {}),
          ...(t.description !== undefined ? { description: t.description } : {}),
          ...(t.title !== undefined ? { title: t.title } : {}),
        });
      cursor = page.nextCursor;
    } while (cursor);
    this.listing = listing;
    this.listedAtMs = performance.now();
  }

  /** Whether the server still answers on this connection (a ping). */
  private async alive(client: Client): Promise<boolean> {
    if (this.client !== client) return false;
    return client.ping({ timeout: Math.min(this.config.connectTimeoutMs ?? 10_000, 5_000) }).then(
      () => true,
      () => false,
    );
  }

  /** Forgets a client whose connection is gone (closing it: a stdio child is stopped). */
  private drop(client: Client): void {
    if (this.client === client) this.client = undefined;
    void client.close().catch(() => undefined);
  }

  private unavailable(detail: string, cause?: unknown): McpServerUnavailableError {
    return new McpServerUnavailableError(this.name, detail, cause === undefined ? {} : { cause });
  }
}
