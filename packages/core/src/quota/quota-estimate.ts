import type { ChatMessage, ModelRequest } from '../providers/provider';

/** Characters per token the default estimate assumes: fewer than any tokenizer we know of averages. */
export const ESTIMATE_CHARS_PER_TOKEN = 3;

/** Tokens the default estimate adds per message and per tool, for the vendor's framing of each. */
export const ESTIMATE_TOKENS_PER_ITEM = 4;

/**
 * The prompt's tokens, estimated high: every character the request carries (system prompt,
 * message texts, tool calls' names and arguments, tool names, descriptions and parameter
 * schemas) divided by {@link ESTIMATE_CHARS_PER_TOKEN}, rounded up, plus
 * {@link ESTIMATE_TOKENS_PER_ITEM} per message and tool. Vendors count with their own tokenizer;
 * English text and JSON average 3.5 to 4 characters per token, so this is usually above what
 * they bill, never a promise (see docs/quotas.md).
 */
export function estimatePromptTokens(request: ModelRequest): number {
  let chars = request.system?.length ?? 0;
  for (const m of request.messages) chars += messageChars(m);
  for (const t of request.tools ?? [])
    chars += t.name.length + t.description.length + JSON.stringify(t.parameters).length;
  const items = request.messages.length + (request.tools?.length ?? 0) + (request.system ? 1 : 0);
  return Math.ceil(chars / ESTIMATE_CHARS_PER_TOKEN) + items * ESTIMATE_TOKENS_PER_ITEM;
}

function messageChars(m: ChatMessage): number {
  switch (m.role) {
    case 'user':
      return m.content.length;
    case 'tool':
      return m.content.length + m.name.length + m.callId.length;
    case 'assistant':
      return (
        m.content.length +
        (m.toolCalls ?? []).reduce(
          (sum, c) =>
            sum +
            c.id.length +
            c.name.length +
            (typeof c.arguments === 'string' ? c.arguments.length : JSON.stringify(c.arguments).length),
          0,
        )
      );
  }
}
