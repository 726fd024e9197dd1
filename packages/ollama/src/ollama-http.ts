import { IncompleteResponseError, ProviderConnectionError, ProviderError } from '@kestrion/core';
import { parseRetryAfterMs, scrubSecrets } from '@kestrion/core/provider-kit';
import { OllamaAccumulator, PROVIDER_NAME, type OllamaChunk } from './ollama-response';

/**
 * POSTs `body` as JSON; a failed connection is a retryable ProviderError, an HTTP error keeps
 * its status. `secrets` (header values, the host's password) never appear in an error message.
 */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  signal: AbortSignal,
  secrets: readonly string[] = [],
): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(body),
      signal,
    });
  } catch (error) {
    throw new ProviderConnectionError(PROVIDER_NAME, `cannot reach ${url}: ${String(error)}`, {
      cause: error,
      secrets,
    });
  }
  if (response.ok) return response;
  const text = await response.text().catch(() => '');
  let message = text;
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') message = parsed.error;
  } catch {
    // not JSON: keep the text
  }
  // Scrubbed before it is cut: a secret cut in half would no longer be recognized.
  throw new ProviderError(
    PROVIDER_NAME,
    `HTTP ${response.status}: ${scrubSecrets(message, secrets).slice(0, 500)}`,
    {
      secrets,
      status: response.status,
      retryAfterMs: parseRetryAfterMs(response.headers, Date.now()),
    },
  );
}

/** Reads one JSON answer into `accumulator`; a body cut short is an IncompleteResponseError. */
export async function readJson(response: Response, accumulator: OllamaAccumulator): Promise<void> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new IncompleteResponseError(PROVIDER_NAME, `the body broke off: ${String(error)}`, {
      cause: error,
    });
  }
  accumulator.add(parseChunk(text));
}

/** Reads NDJSON lines into `accumulator` as they arrive, reassembling lines split across reads. */
export async function readNdjson(response: Response, accumulator: OllamaAccumulator): Promise<void> {
  if (response.body === null) throw new IncompleteResponseError(PROVIDER_NAME, 'the stream had no body');
  const decoder = new TextDecoder();
  let buffered = '';
  const reader = response.body.getReader();
  for (;;) {
    let read: Awaited<ReturnType<typeof reader.read>>;
    try {
      read = await reader.read();
    } catch (error) {
      throw new IncompleteResponseError(PROVIDER_NAME, `the stream broke off: ${String(error)}`, {
        cause: error,
      });
    }
    buffered += read.done ? decoder.decode() : decoder.decode(read.value, { stream: true });
    const lines = buffered.split('\n');
    buffered = read.done ? '' : (lines.pop() ?? '');
    for (const line of lines) if (line.trim() !== '') accumulator.add(parseChunk(line));
    if (read.done) return;
  }
}

function parseChunk(text: string): OllamaChunk {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new IncompleteResponseError(PROVIDER_NAME, `unreadable answer: ${text.slice(0, 200)}`, {
      cause: error,
    });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new IncompleteResponseError(PROVIDER_NAME, `unreadable answer: ${text.slice(0, 200)}`);
  return value as OllamaChunk;
}
