import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { type McpIdentity, tokenVerifier, type McpTokens } from './identity';

/** Where and for whom the Streamable HTTP endpoint listens. */
export interface HttpAgentServerOptions {
  /** Port to listen on; 0 (default) picks a free one (read it from the result). */
  port?: number;
  /** Interface to bind (default `127.0.0.1`: put a TLS-terminating proxy in front for anything else). */
  host?: string;
  /** Path of the MCP endpoint (default `/mcp`). */
  path?: string;
  /** Bearer tokens and the identity each stands for. Every request must carry one. */
  tokens: McpTokens;
  /** Largest request body accepted (default 4 MiB). */
  maxBodyBytes?: number;
}

/** A listening endpoint. */
export interface HttpAgentServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: Server;
  identity: string;
}

/**
 * Serves MCP servers made by `newServer` over Streamable HTTP, one per session, behind bearer
 * tokens: a request without a known token gets 401 and reaches no server; a session is bound to
 * the identity that opened it (another token's request on it gets 403). Each request's identity
 * is handed to the MCP server as `authInfo` (`extra.authInfo.extra.identity`).
 */
export async function listenHttp(
  newServer: () => Server,
  options: HttpAgentServerOptions,
): Promise<HttpAgentServer> {
  const verify = tokenVerifier(options.tokens);
  const path = options.path ?? '/mcp';
  const limit = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const sessions = new Map<string, Session>();

  const handle = async (req: IncomingMessage & { auth?: AuthInfo }, res: ServerResponse): Promise<void> => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== path) return reply(res, 404, 'not found');
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    const who = presented === undefined ? undefined : verify(presented);
    if (!who || presented === undefined) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="kestrion"');
      return reply(res, 401, 'a valid bearer token is required');
    }
    req.auth = authInfo(presented, who);
    const read = req.method === 'POST' ? await readJson(req, limit) : undefined;
    if (read && !read.ok) {
      // An oversized body is not read to its end: the connection is closed after the answer.
      if (read.status === 413) res.setHeader('connection', 'close');
      return reply(res, read.status, read.message);
    }
    const body = read?.body;
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = sessions.get(sessionId);
      if (!session) return reply(res, 404, 'unknown session: initialize again');
      if (session.identity !== who.identity)
        return reply(res, 403, 'this session belongs to another identity');
      return session.transport.handleRequest(req, res, body);
    }
    if (req.method !== 'POST' || !isInitializeRequest(body))
      return reply(res, 400, 'no session: send initialize first');
    const server = newServer();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server, identity: who.identity });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };

  const http: HttpServer = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) reply(res, 500, error instanceof Error ? error.message : String(error));
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`,
    port,
    close: async () => {
      await Promise.all([...sessions.values()].map((s) => s.server.close().catch(() => undefined)));
      sessions.clear();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function authInfo(token: string, who: McpIdentity): AuthInfo {
  return {
    token,
    clientId: who.identity,
    scopes: who.roles,
    extra: { identity: who.identity, roles: who.roles },
  };
}

/** The identity a request's `authInfo` carries (set by `listenHttp` from the verified token). */
export function identityFromAuth(auth: AuthInfo | undefined): McpIdentity | undefined {
  const extra = auth?.extra as { identity?: unknown; roles?: unknown } | undefined;
  if (typeof extra?.identity !== 'string' || !Array.isArray(extra.roles)) return undefined;
  return { identity: extra.identity, roles: extra.roles.filter((r): r is string => typeof r === 'string') };
}

function reply(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

type BodyRead = { ok: true; body: unknown } | { ok: false; status: 400 | 413; message: string };

async function readJson(req: IncomingMessage, limit: number): Promise<BodyRead> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit)
      return {
        ok: false,
        status: 413,
        message: `the request body is over ${limit} bytes (maxBodyBytes): send a smaller request`,
      };
    chunks.push(chunk as Buffer);
  }
  try {
    return { ok: true, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return { ok: false, status: 400, message: 'the request body is not JSON: send one JSON-RPC message' };
  }
}
