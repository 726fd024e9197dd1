import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { FakeReply, FakeTurn, RecordedRequest } from './fake-turn';

/** A rendered answer: JSON, or a stream as a list of wire chunks (SSE events, NDJSON lines). */
export type RenderedBody = { json: unknown } | { contentType: string; chunks: string[] };

/**
 * A loopback HTTP server (127.0.0.1, a free port) that speaks one model vendor's wire format
 * from a script of {@link FakeTurn}s (or a responder: `respondWith`), recording every request.
 * Subclasses render replies and errors; this class does the scripting, stalls and cuts. A
 * request with no turn left gets a 400 (never retried), so a test that calls more than it
 * scripted fails loudly.
 */
export abstract class FakeModelServer {
  readonly requests: RecordedRequest[] = [];
  private turns: FakeTurn[] = [];
  private responder: ((request: RecordedRequest) => FakeTurn | Promise<FakeTurn>) | undefined;
  private server: Server | undefined;
  private port = 0;

  /** The path the vendor's API serves chat on (`/v1/messages`, ...). */
  protected abstract readonly chatPath: string;
  /** The base URL a client is configured with (what the SDK's `baseURL` expects). */
  protected abstract baseUrlFor(origin: string): string;
  /** Whether this request body asks for a streamed answer. */
  protected abstract wantsStream(body: unknown): boolean;
  /** Renders a reply to `request` (its body holds the requested model and stream options). */
  protected abstract render(reply: FakeReply, request: RecordedRequest): RenderedBody;
  protected abstract renderError(status: number, message: string): unknown;

  get url(): string {
    if (this.server === undefined) throw new Error('fake server not started: await start() first');
    return this.baseUrlFor(`http://127.0.0.1:${this.port}`);
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Closes the server and every open connection, stalled ones included. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Appends turns to the script. */
  script(...turns: FakeTurn[]): this {
    this.turns.push(...turns);
    return this;
  }

  /**
   * Answers every request with `responder(request)` instead of the script: a server whose
   * answer depends only on what it is asked, so a client that asks again (after a crash, from
   * another process) gets the same answer. `undefined` goes back to the script. The responder
   * may answer later (a promise): the request waits, as on a slow server.
   */
  respondWith(responder: ((request: RecordedRequest) => FakeTurn | Promise<FakeTurn>) | undefined): this {
    this.responder = responder;
    return this;
  }

  /** Forgets the script, the responder and the recorded requests. */
  reset(): void {
    this.turns = [];
    this.responder = undefined;
    this.requests.length = 0;
  }

  /** Turns scripted but not yet requested. */
  get pendingTurns(): number {
    return this.turns.length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const atMs = performance.now();
    const text = await readBody(req);
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // kept as text
    }
    const streamed = this.wantsStream(body);
    const path = req.url ?? '';
    const request: RecordedRequest = {
      method: req.method ?? '',
      path,
      headers: { ...req.headers },
      body,
      streamed,
      atMs,
    };
    const extra = this.extraRoute(request);
    if (extra !== undefined) return send(res, { json: extra });
    this.requests.push(request);
    if (req.method !== 'POST' || path.split('?')[0] !== this.chatPath)
      return this.sendError(res, 404, `fake server: no route ${req.method} ${path}`);
    const answer = this.responder ? this.responder(request) : this.turns.shift();
    // A responder that takes its time (a promise) is awaited; a plain answer goes out at once.
    const turn = answer instanceof Promise ? await answer : answer;
    if (res.destroyed) return; // closed while the responder took its time
    if (turn === undefined) return this.sendError(res, 400, 'fake server: no scripted turn left');
    switch (turn.kind) {
      case 'status': {
        const headers: Record<string, string> =
          turn.retryAfter === undefined ? {} : { 'retry-after': turn.retryAfter };
        return this.sendError(res, turn.status, turn.message ?? `fake status ${turn.status}`, headers);
      }
      case 'stall':
        return; // never answered; close() destroys the socket
      case 'reply':
        return send(res, this.render(turn, request));
      case 'cut':
        return send(res, this.render(turn.reply, request), turn.how);
    }
  }

  /**
   * A JSON answer for a request that is not a model call (a subclass's own endpoint, e.g. what
   * it recorded, read by another process), or undefined. Such requests are not recorded.
   */
  protected extraRoute(_request: RecordedRequest): unknown {
    return undefined;
  }

  private sendError(
    res: ServerResponse,
    status: number,
    message: string,
    headers: Record<string, string> = {},
  ): void {
    const text = JSON.stringify(this.renderError(status, message));
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(text);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Writes a rendered body; `cut` stops halfway and destroys the socket or ends the response. */
async function send(res: ServerResponse, rendered: RenderedBody, cut?: 'destroy' | 'end'): Promise<void> {
  if ('json' in rendered) {
    const text = JSON.stringify(rendered.json);
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
    });
    if (cut === undefined) return void res.end(text);
    res.write(text.slice(0, Math.floor(text.length / 2)));
    await tick();
    return void (cut === 'destroy' ? res.socket?.destroy() : res.end());
  }
  res.writeHead(200, { 'content-type': rendered.contentType, 'cache-control': 'no-cache' });
  res.flushHeaders();
  const chunks =
    cut === undefined ? rendered.chunks : rendered.chunks.slice(0, Math.ceil(rendered.chunks.length / 2));
  for (const chunk of chunks) {
    // Each chunk in two writes split at a byte (even inside a UTF-8 character), so clients
    // must reassemble events split across reads.
    const bytes = Buffer.from(chunk, 'utf8');
    const middle = Math.floor(bytes.length / 2);
    res.write(bytes.subarray(0, middle));
    await tick();
    res.write(bytes.subarray(middle));
    await tick();
    if (res.destroyed) return;
  }
  if (cut === 'destroy') res.socket?.destroy();
  else res.end();
}

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
