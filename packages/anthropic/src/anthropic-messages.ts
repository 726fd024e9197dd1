import type { ChatMessage, ModelRequest, ModelToolCall } from '@kestrion/core';
import type {
  ContentBlockParam,
  MessageCreateParamsBase,
  MessageParam,
  Tool,
} from '@anthropic-ai/sdk/resources/messages';

/** Anthropic requires `max_tokens`; this is sent when neither the request nor the adapter sets it. */
export const DEFAULT_MAX_TOKENS = 4096;

/**
 * The Messages API body for a Kestrion request. Tool results (`role: 'tool'`) become
 * `tool_result` blocks of a user message; consecutive user-side messages (several tool results,
 * a user note after them) share one user message, tool results first, as the API requires.
 * Tool schemas are sent as given: pass them through `toAnthropicInputSchema` first.
 * `temperature` is not sent: the Messages API of SDK 1.x has no such parameter.
 */
export function toAnthropicParams(request: ModelRequest, defaultMaxTokens: number): MessageCreateParamsBase {
  const params: MessageCreateParamsBase = {
    model: request.model,
    max_tokens: request.maxTokens ?? defaultMaxTokens,
    messages: toAnthropicMessages(request.messages),
  };
  if (request.system !== undefined && request.system !== '') params.system = request.system;
  if (request.tools !== undefined && request.tools.length > 0)
    params.tools = request.tools.map((tool): Tool => ({
      name: tool.name,
      description: tool.description,
      input_schema: tool.parameters as Tool.InputSchema,
    }));
  return params;
}

export function toAnthropicMessages(messages: ChatMessage[]): MessageParam[] {
  const out: MessageParam[] = [];
  for (const message of messages) {
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const blocks = blocksOf(message);
    const last = out[out.length - 1];
    if (last !== undefined && last.role === role && role === 'user')
      last.content = [...asBlocks(last.content), ...blocks];
    else out.push({ role, content: blocks });
  }
  return out;
}

function blocksOf(message: ChatMessage): ContentBlockParam[] {
  switch (message.role) {
    case 'user':
      return [{ type: 'text', text: message.content }];
    case 'tool':
      return [
        {
          type: 'tool_result',
          tool_use_id: message.callId,
          content: message.content,
          ...(message.isError === true ? { is_error: true } : {}),
        },
      ];
    case 'assistant':
      return [
        ...(message.content === '' ? [] : [{ type: 'text' as const, text: message.content }]),
        ...(message.toolCalls ?? []).map(toolUseBlock),
      ];
  }
}

/** A malformed call is echoed with empty input: its raw text is not an object the API accepts. */
function toolUseBlock(call: ModelToolCall): ContentBlockParam {
  const input = call.malformed === true ? {} : call.arguments;
  return { type: 'tool_use', id: call.id, name: call.name, input };
}

function asBlocks(content: MessageParam['content']): ContentBlockParam[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}
