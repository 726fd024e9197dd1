import type { ChatMessage, ModelRequest, ModelToolCall } from '@kestrion/core';
import type {
  ChatCompletionCreateParamsBase,
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
} from 'openai/resources/chat/completions';

/**
 * The Chat Completions body for a Kestrion request. Tool schemas are sent as given; a tool
 * marked `strict: true` is sent with `strict: true`, so its parameters must already be in the
 * strict subset (the provider's `toolSpec`; its `normalizeToolArguments` undoes the "optional
 * becomes nullable" on the arguments). Tool results become `role: "tool"`
 * messages; the API has no error flag for them, so `isError` travels in the content only.
 */
export function toOpenAIParams(request: ModelRequest): ChatCompletionCreateParamsBase {
  const messages: ChatCompletionMessageParam[] = [];
  if (request.system !== undefined && request.system !== '')
    messages.push({ role: 'system', content: request.system });
  for (const message of request.messages) messages.push(toOpenAIMessage(message));
  const params: ChatCompletionCreateParamsBase = { model: request.model, messages };
  if (request.maxTokens !== undefined) params.max_completion_tokens = request.maxTokens;
  if (request.temperature !== undefined) params.temperature = request.temperature;
  if (request.tools !== undefined && request.tools.length > 0)
    params.tools = request.tools.map((tool): ChatCompletionFunctionTool => ({
      type: 'function',
      function: {
        name: tool.name,
        description: tool.description,
        parameters: tool.parameters,
        ...(tool.strict === true ? { strict: true } : {}),
      },
    }));
  return params;
}

export function toOpenAIMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'user':
      return { role: 'user', content: message.content };
    case 'tool':
      return { role: 'tool', tool_call_id: message.callId, content: message.content };
    case 'assistant': {
      const calls = message.toolCalls ?? [];
      return {
        role: 'assistant',
        content: message.content === '' && calls.length > 0 ? null : message.content,
        ...(calls.length > 0 ? { tool_calls: calls.map(toWireCall) } : {}),
      };
    }
  }
}

/** A malformed call goes back as the raw text the model wrote. */
function toWireCall(call: ModelToolCall): ChatCompletionMessageToolCall {
  const args =
    call.malformed === true && typeof call.arguments === 'string'
      ? call.arguments
      : JSON.stringify(call.arguments);
  return { id: call.id, type: 'function', function: { name: call.name, arguments: args } };
}
