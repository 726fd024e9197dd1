import {
  IncompleteResponseError,
  type ModelResponse,
  type ModelToolCall,
  type ModelUsage,
  type StopReason,
} from '@kestrion/core';
import { toolCallFromText } from '@kestrion/core/provider-kit';
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';

export function stopReasonOf(reason: string | null | undefined): StopReason {
  if (reason === 'stop') return 'end';
  if (reason === 'tool_calls') return 'tool_use';
  if (reason === 'length') return 'max_tokens';
  return 'other';
}

/** OpenAI counts cached tokens inside `prompt_tokens`; Kestrion's `inputTokens` excludes them. */
export function usageOf(usage: CompletionUsage | null | undefined): ModelUsage {
  const cached = usage?.prompt_tokens_details?.cached_tokens;
  const out: ModelUsage = {
    inputTokens: (usage?.prompt_tokens ?? 0) - (cached ?? 0),
    outputTokens: usage?.completion_tokens ?? 0,
  };
  if (typeof cached === 'number') out.cacheReadTokens = cached;
  return out;
}

export function fromCompletion(completion: ChatCompletion): ModelResponse {
  const choice = completion.choices[0];
  const message = choice?.message;
  const toolCalls: ModelToolCall[] = [];
  for (const call of message?.tool_calls ?? [])
    if (call.type === 'function')
      toolCalls.push(toolCallFromText(call.id, call.function.name, call.function.arguments));
  return {
    text: message?.content ?? message?.refusal ?? '',
    toolCalls,
    usage: usageOf(completion.usage),
    stopReason: stopReasonOf(choice?.finish_reason),
    model: completion.model,
  };
}

interface PartialCall {
  id: string;
  name: string;
  args: string;
}

/**
 * Folds streamed chunks into the response {@link fromCompletion} gives. The stream is complete
 * only with a finish reason and the usage chunk (requested with `stream_options.include_usage`,
 * sent last, just before `[DONE]`); anything less is refused by {@link finish}.
 */
export class OpenAIStreamAccumulator {
  private text = '';
  private refusal = '';
  private model = '';
  private finish_reason: string | null = null;
  private usage: CompletionUsage | undefined;
  private readonly calls = new Map<number, PartialCall>();

  constructor(private readonly onTextDelta: ((delta: string) => void) | undefined) {}

  add(chunk: ChatCompletionChunk): void {
    if (chunk.model !== '') this.model = chunk.model;
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices[0];
    if (choice === undefined) return;
    const { content, refusal, tool_calls } = choice.delta;
    if (typeof content === 'string' && content !== '') {
      this.text += content;
      this.onTextDelta?.(content);
    }
    if (typeof refusal === 'string') this.refusal += refusal;
    for (const delta of tool_calls ?? []) {
      const call = this.calls.get(delta.index) ?? { id: '', name: '', args: '' };
      if (delta.id) call.id = delta.id;
      if (delta.function?.name) call.name += delta.function.name;
      if (delta.function?.arguments) call.args += delta.function.arguments;
      this.calls.set(delta.index, call);
    }
    if (choice.finish_reason) this.finish_reason = choice.finish_reason;
  }

  finish(provider: string): ModelResponse {
    if (this.finish_reason === null)
      throw new IncompleteResponseError(provider, 'the stream ended before a finish reason');
    if (this.usage === undefined)
      throw new IncompleteResponseError(provider, 'the stream ended before its usage chunk');
    const toolCalls = [...this.calls]
      .sort(([a], [b]) => a - b)
      .map(([, call]) => toolCallFromText(call.id, call.name, call.args));
    return {
      text: this.text !== '' ? this.text : this.refusal,
      toolCalls,
      usage: usageOf(this.usage),
      stopReason: stopReasonOf(this.finish_reason),
      model: this.model,
    };
  }
}
