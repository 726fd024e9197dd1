import type { EventCost } from '../events/envelope';
import type { Json, JsonObject } from '../util/json';

/** One message of a conversation, provider-neutral. */
export type ChatMessage =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ModelToolCall[] }
  | { role: 'tool'; callId: string; name: string; content: string; isError?: boolean };

/** A tool as offered to a model. */
export interface ModelToolSpec {
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

/**
 * The Provider port: messages and tool schemas in, a normalized response out. Adapters own
 * their retries (one layer only) and throw a `KestrionError` subclass on final failure.
 * `cost` turns usage into USD; null when the model's price is unknown (never a guess).
 */
export interface Provider {
  readonly name: string;
  complete(request: ModelRequest, options?: { signal?: AbortSignal }): Promise<ModelResponse>;
  cost?(response: ModelResponse): EventCost;
}
