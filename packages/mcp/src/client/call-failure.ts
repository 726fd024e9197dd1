import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

/**
 * What a failed request tells about the tool it asked for:
 * - `answered`: the server answered with an error (it refused, or the tool reported one);
 * - `not_sent`: the request cannot have reached the server (nothing listened, the session is
 *   gone, this client was not connected);
 * - `closed`: the connection closed while the request was out: the server may have acted;
 * - `no_answer`: no answer in time, or a failure whose effect on the server nobody can tell.
 */
export type CallFailure = 'answered' | 'not_sent' | 'closed' | 'no_answer';

const REFUSED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function failureOf(error: unknown): CallFailure {
  if (error instanceof McpError) {
    if (error.code === ErrorCode.ConnectionClosed) return 'closed';
    if (error.code === ErrorCode.RequestTimeout) return 'no_answer';
    return 'answered';
  }
  // A server that restarted does not know the session: the request was refused unread.
  if (error instanceof StreamableHTTPError) return error.code === 404 ? 'not_sent' : 'no_answer';
  if (error instanceof Error && error.message === 'Not connected') return 'not_sent';
  if (REFUSED.has(codeOf(error))) return 'not_sent';
  return 'no_answer';
}

/** A short description of an error and its cause, for messages. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = codeOf(error);
  return `${error.message}${cause && !error.message.includes(cause) ? ` (${cause})` : ''}`;
}

function codeOf(error: unknown): string {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return '';
}
