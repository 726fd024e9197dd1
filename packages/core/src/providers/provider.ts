import type { EventCost } from '../events/envelope';
import type { Json, JsonObject } from '../util/json';
import type { ProviderError } from '../errors/provider-errors';

/** One message of a conversation, provider-neutral. */
export type ChatMessage =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ModelToolCall[] }
  | { role: 'tool'; callId: string; name: string; content: string; isError?: boolean };

/** A tool as offered to a model. */
export interface ModelToolSpec {
  name: string;
  description: string;
  /**
   * The parameter schema, already in the provider's view (what {@link Provider.toolSpec}
   * returned, else the tool's JSON Schema): adapters send it as is.
   */
  parameters: JsonObject;
  /**
   * The parameters are in OpenAI's strict subset (the OpenAI adapter's `toolSpec`): adapters
   * that support strict function calling send the tool with `strict: true`; others ignore it.
   */
  strict?: boolean;
}

/** A tool as Kestrion describes it, before any provider's view: its JSON Schema parameters. */
export interface ProviderTool {
  name: string;
  description: string;
  parameters: JsonObject;
}

export interface ModelRequest {
  model: string;
  system?: string;
  messages: ChatMessage[];
  tools?: ModelToolSpec[];
  maxTokens?: number;
  temperature?: number;
}

/** A tool call as the model made it. `arguments` is the raw text when it was not valid JSON. */
export interface ModelToolCall {
  id: string;
  name: string;
  arguments: Json;
  /** Set when the model's arguments could not be parsed; `arguments` then holds the raw text. */
  malformed?: boolean;
}

/**
 * Tokens of one call. `inputTokens` excludes cached tokens: a call costs
 * `inputTokens + cacheReadTokens + cacheWriteTokens` on the input side, each at its own price.
 */
export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
}

export type StopReason = 'end' | 'tool_use' | 'max_tokens' | 'other';

/** The normalized response every provider returns. */
export interface ModelResponse {
  text: string;
  toolCalls: ModelToolCall[];
  usage: ModelUsage;
  stopReason: StopReason;
  model: string;
}

/** Per-call options of {@link Provider.complete}; none of them is part of the recorded request. */
export interface CompleteOptions {
  /** Aborts the call (and any retry wait); the provider throws a cancelled or timeout error. */
  signal?: AbortSignal;
  /** Time limit of each attempt in milliseconds, overriding the provider's own. */
  timeoutMs?: number;
  /**
   * When given, the provider streams and calls this with each piece of text as it arrives.
   * `attempt` starts at 1; a retried call streams again from the start with the next number, so
   * a display should restart when it changes. The resolved response is the same as unstreamed.
   * An error thrown here fails the call at once and is not retried.
   */
  onTextDelta?: (delta: string, info: { attempt: number }) => void;
  /**
   * Called before each retry the provider makes of this call (adapters on `runProviderCall`
   * do): `error` is what attempt number `attempt` failed with, `delayMs` the wait before the
   * next one. A wrapper that counts what the vendor sees (`withQuota`) accounts for each
   * attempt here. If it throws or rejects, the call ends with that error and is not retried.
   */
  onRetry?: (info: RetryInfo) => void | Promise<void>;
}

/** A retry about to happen, as {@link CompleteOptions.onRetry} is told of it. */
export interface RetryInfo {
  /** The attempt that failed (1 for the first). */
  attempt: number;
  /** What that attempt failed with. */
  error: ProviderError;
  /** The wait before the next attempt (a `Retry-After`, or backoff). */
  delayMs: number;
}

/**
 * The Provider port: messages and tool schemas in, a normalized response out. Adapters own
 * their retries (one layer only) and throw a `KestrionError` subclass on final failure
 * (`ProviderError` and its subclasses). A response is returned only once it is complete: a
 * cut stream is an `IncompleteResponseError`, never a partial response.
 * `cost` turns usage into USD; null when the model's price is unknown (never a guess).
 */
export interface Provider {
  readonly name: string;
  complete(request: ModelRequest, options?: CompleteOptions): Promise<ModelResponse>;
  cost?(response: ModelResponse): EventCost;
  /**
   * The tool in the view this provider's vendor accepts (a schema subset, strict mode, ...).
   * Without it a tool is offered with its JSON Schema unchanged. A runtime calls it once per
   * tool and offers the result in {@link ModelRequest.tools}.
   */
  toolSpec?(tool: ProviderTool): ModelToolSpec;
  /**
   * The model's arguments for `tool`, mapped back from the view `offered` (what `toolSpec`
   * returned) to the tool's own schema before they are validated: e.g. OpenAI strict mode's
   * `null` for an optional property becomes absent. Without it the arguments are used as sent.
   */
  normalizeToolArguments?(tool: ProviderTool, offered: ModelToolSpec, args: JsonObject): JsonObject;
}
