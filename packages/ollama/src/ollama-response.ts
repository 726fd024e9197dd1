import { createHash } from 'node:crypto';
import {
  IncompleteResponseError,
  ProviderError,
  type ModelResponse,
  type ModelToolCall,
  type StopReason,
} from '@kestrion/core';
import { toolCallFromValue } from '@kestrion/core/provider-kit';

export const PROVIDER_NAME = 'ollama';

/** One `/api/chat` object: the whole answer, or one NDJSON line of a stream. */
export interface OllamaChunk {
  model?: string;
  created_at?: string;
  message?: {
    content?: string;
    tool_calls?: { id?: unknown; function?: { name?: unknown; arguments?: unknown } }[];
  };
  done?: boolean;
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
  error?: unknown;
}

/**
 * Folds `/api/chat` objects (one JSON answer, or every NDJSON line) into a response. Ollama
 * sends no tool-call ids, so each gets one derived from the answer's `created_at`, its position
 * and its content: stable for the same answer, distinct across answers. An object with `error`
 * fails the call; {@link finish} refuses an answer that never reached `done: true`.
 */
export class OllamaAccumulator {
  private text = '';
  private model = '';
  private final: OllamaChunk | undefined;
  private readonly toolCalls: ModelToolCall[] = [];

  constructor(private readonly onTextDelta: ((delta: string) => void) | undefined) {}

  add(chunk: OllamaChunk): void {
    if (chunk.error !== undefined)
      throw new ProviderError(PROVIDER_NAME, `error in the answer: ${JSON.stringify(chunk.error)}`);
    if (typeof chunk.model === 'string') this.model = chunk.model;
    const content = chunk.message?.content;
    if (typeof content === 'string' && content !== '') {
      this.text += content;
      this.onTextDelta?.(content);
    }
    for (const call of chunk.message?.tool_calls ?? []) {
      const name = typeof call.function?.name === 'string' ? call.function.name : '';
      const args: unknown = call.function?.arguments ?? {};
      const id = typeof call.id === 'string' && call.id !== '' ? call.id : this.derivedId(chunk, name, args);
      this.toolCalls.push(toolCallFromValue(id, name, args));
    }
    if (chunk.done === true) this.final = chunk;
  }

  finish(): ModelResponse {
    const final = this.final;
    if (final === undefined)
      throw new IncompleteResponseError(PROVIDER_NAME, 'the answer ended before done: true');
    return {
      text: this.text,
      toolCalls: this.toolCalls,
      usage: { inputTokens: final.prompt_eval_count ?? 0, outputTokens: final.eval_count ?? 0 },
      stopReason: stopReasonOf(final.done_reason, this.toolCalls.length > 0),
      model: this.model,
    };
  }

  private derivedId(chunk: OllamaChunk, name: string, args: unknown): string {
    const seed = JSON.stringify([chunk.created_at ?? '', this.toolCalls.length, name, args]) ?? '';
    return `call_${createHash('sha256').update(seed).digest('hex').slice(0, 24)}`;
  }
}

function stopReasonOf(reason: string | undefined, calledTools: boolean): StopReason {
  if (calledTools) return 'tool_use';
  if (reason === 'stop') return 'end';
  if (reason === 'length') return 'max_tokens';
  return 'other';
}
