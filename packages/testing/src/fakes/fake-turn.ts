/** A tool call as a fake model makes it; `arguments` is the raw text, which may be malformed. */
export interface FakeToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface FakeUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
}

/** A complete answer; each fake renders it in its vendor's JSON or stream format. */
export interface FakeReply {
  kind: 'reply';
  text?: string;
  toolCalls?: FakeToolCall[];
  usage?: FakeUsage;
  /** Defaults to 'tool_use' when there are tool calls, else 'end'. */
  stop?: 'end' | 'tool_use' | 'max_tokens';
  /** The model id the server reports; defaults to the requested one. */
  model?: string;
}

/**
 * One scripted answer of a fake model server, vendor-neutral so one script drives all fakes:
 * a reply; an HTTP error (with `Retry-After` seconds); a stall (no answer ever, so the client
 * must time out); or a cut: half the body or stream is sent, then the socket is destroyed
 * (`destroy`) or the response ended cleanly without its terminating event (`end`).
 */
export type FakeTurn =
  | FakeReply
  | { kind: 'status'; status: number; retryAfter?: string; message?: string }
  | { kind: 'stall' }
  | { kind: 'cut'; reply: FakeReply; how: 'destroy' | 'end' };

/** A request as a fake server received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body (the raw text when it was not JSON). */
  body: unknown;
  /** Whether the client asked for a streamed answer. */
  streamed: boolean;
  /** `performance.now()` when the request arrived, to measure retry waits. */
  atMs: number;
}

/** `text` in pieces of a few characters, as a model streams it. */
export function textPieces(text: string, size = 4): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

/** Arguments as a vendor that sends decoded JSON would: the object when valid, else the raw text. */
export function decodedArguments(raw: string): unknown {
  try {
    const value: unknown = JSON.parse(raw);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : raw;
  } catch {
    return raw;
  }
}

export function stopOf(reply: FakeReply): 'end' | 'tool_use' | 'max_tokens' {
  return reply.stop ?? ((reply.toolCalls ?? []).length > 0 ? 'tool_use' : 'end');
}

export const DEFAULT_FAKE_USAGE: FakeUsage = { inputTokens: 12, outputTokens: 7 };

/** The model a request asked for ('' when none). */
export function requestedModel(request: RecordedRequest): string {
  const model = (request.body as { model?: unknown } | null)?.model;
  return typeof model === 'string' ? model : '';
}
