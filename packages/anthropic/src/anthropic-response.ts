import {
  IncompleteResponseError,
  type ModelResponse,
  type ModelToolCall,
  type ModelUsage,
  type StopReason,
} from '@kestrion/core';
import { toolCallFromText, toolCallFromValue } from '@kestrion/core/provider-kit';
import type { Message, RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';

interface WireUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

export function stopReasonOf(reason: string | null | undefined): StopReason {
  if (reason === 'end_turn' || reason === 'stop_sequence') return 'end';
  if (reason === 'tool_use') return 'tool_use';
  if (reason === 'max_tokens') return 'max_tokens';
  return 'other';
}

export function usageOf(usage: WireUsage): ModelUsage {
  const out: ModelUsage = { inputTokens: usage.input_tokens ?? 0, outputTokens: usage.output_tokens ?? 0 };
  if (typeof usage.cache_read_input_tokens === 'number') out.cacheReadTokens = usage.cache_read_input_tokens;
  if (typeof usage.cache_creation_input_tokens === 'number')
    out.cacheWriteTokens = usage.cache_creation_input_tokens;
  return out;
}

/** A non-streamed Message as a Kestrion response. */
export function fromMessage(message: Message): ModelResponse {
  let text = '';
  const toolCalls: ModelToolCall[] = [];
  for (const block of message.content) {
    if (block.type === 'text') text += block.text;
    else if (block.type === 'tool_use') toolCalls.push(toolCallFromValue(block.id, block.name, block.input));
  }
  return {
    text,
    toolCalls,
    usage: usageOf(message.usage),
    stopReason: stopReasonOf(message.stop_reason),
    model: message.model,
  };
}

type Block =
  { kind: 'text'; text: string } | { kind: 'tool'; id: string; name: string; input: unknown; json: string };

/**
 * Folds the raw SSE events of one streamed message into the same response {@link fromMessage}
 * gives. {@link finish} refuses a stream that never reached `message_stop`.
 */
export class AnthropicStreamAccumulator {
  private model = '';
  private wireUsage: WireUsage = {};
  private stop: string | null = null;
  private stopped = false;
  private readonly blocks = new Map<number, Block>();

  constructor(private readonly onTextDelta: ((delta: string) => void) | undefined) {}

  add(event: RawMessageStreamEvent): void {
    switch (event.type) {
      case 'message_start':
        this.model = event.message.model;
        this.wireUsage = { ...event.message.usage };
        return;
      case 'content_block_start': {
        const block = event.content_block;
        if (block.type === 'text') this.blocks.set(event.index, { kind: 'text', text: block.text });
        else if (block.type === 'tool_use')
          this.blocks.set(event.index, {
            kind: 'tool',
            id: block.id,
            name: block.name,
            input: block.input,
            json: '',
          });
        return;
      }
      case 'content_block_delta': {
        const block = this.blocks.get(event.index);
        if (event.delta.type === 'text_delta' && block?.kind === 'text') {
          block.text += event.delta.text;
          this.onTextDelta?.(event.delta.text);
        } else if (event.delta.type === 'input_json_delta' && block?.kind === 'tool')
          block.json += event.delta.partial_json;
        return;
      }
      case 'message_delta':
        this.stop = event.delta.stop_reason;
        for (const [key, value] of Object.entries(event.usage))
          if (typeof value === 'number') Object.assign(this.wireUsage, { [key]: value });
        return;
      case 'message_stop':
        this.stopped = true;
        return;
      default:
        return;
    }
  }

  finish(provider: string): ModelResponse {
    if (!this.stopped) throw new IncompleteResponseError(provider, 'the stream ended before message_stop');
    let text = '';
    const toolCalls: ModelToolCall[] = [];
    for (const [, block] of [...this.blocks].sort(([a], [b]) => a - b)) {
      if (block.kind === 'text') text += block.text;
      else
        toolCalls.push(
          block.json === ''
            ? toolCallFromValue(block.id, block.name, block.input)
            : toolCallFromText(block.id, block.name, block.json),
        );
    }
    return {
      text,
      toolCalls,
      usage: usageOf(this.wireUsage),
      stopReason: stopReasonOf(this.stop),
      model: this.model,
    };
  }
}
