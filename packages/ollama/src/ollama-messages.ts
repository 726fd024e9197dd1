import type { ChatMessage, Json, ModelRequest } from '@kestrion/core';

/** One message as Ollama's `/api/chat` reads it. */
export interface OllamaMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  tool_calls?: { function: { name: string; arguments: Json } }[];
  tool_name?: string;
}

export interface OllamaChatBody {
  model: string;
  messages: OllamaMessage[];
  tools?: { type: 'function'; function: { name: string; description: string; parameters: Json } }[];
  stream: boolean;
  options?: { num_predict?: number; temperature?: number };
}

/**
 * The `/api/chat` body for a Kestrion request. `stream` is always explicit (Ollama streams by
 * default). Tool schemas are sent as given: the provider's `toolSpec` (`toOllamaSchema`) makes them fit, since
 * Ollama reads only a simple subset. A tool result names its tool (`tool_name`): Ollama has no
 * call ids to match by.
 */
export function toOllamaBody(request: ModelRequest, stream: boolean): OllamaChatBody {
  const messages: OllamaMessage[] = [];
  if (request.system !== undefined && request.system !== '')
    messages.push({ role: 'system', content: request.system });
  for (const message of request.messages) messages.push(toOllamaMessage(message));
  const body: OllamaChatBody = { model: request.model, messages, stream };
  if (request.tools !== undefined && request.tools.length > 0)
    body.tools = request.tools.map((tool) => ({
      type: 'function',
      function: { name: tool.name, description: tool.description, parameters: tool.parameters },
    }));
  const options: NonNullable<OllamaChatBody['options']> = {};
  if (request.maxTokens !== undefined) options.num_predict = request.maxTokens;
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (Object.keys(options).length > 0) body.options = options;
  return body;
}

export function toOllamaMessage(message: ChatMessage): OllamaMessage {
  switch (message.role) {
    case 'user':
      return { role: 'user', content: message.content };
    case 'tool':
      return { role: 'tool', content: message.content, tool_name: message.name };
    case 'assistant': {
      const calls = message.toolCalls ?? [];
      return {
        role: 'assistant',
        content: message.content,
        ...(calls.length > 0
          ? { tool_calls: calls.map((c) => ({ function: { name: c.name, arguments: c.arguments } })) }
          : {}),
      };
    }
  }
}
