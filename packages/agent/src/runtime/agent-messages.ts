import {
  isModelRepairable,
  type ChatMessage,
  type Json,
  type ModelToolCall,
  type ToolResult,
} from '@kestrion/core';

/** What the model reads back for a tool call's result. */
export function toolMessage(call: ModelToolCall, result: ToolResult): ChatMessage {
  const base = { role: 'tool' as const, callId: call.id, name: call.name };
  if (result.status === 'completed') return { ...base, content: JSON.stringify(result.result) };
  if (result.status === 'rejected')
    return {
      ...base,
      isError: true,
      content: `A person rejected this call (${result.by}): ${result.reason}. Do not retry it unchanged.`,
    };
  const details = Array.isArray(result.error.errors)
    ? `\n${(result.error.errors as string[]).join('\n')}`
    : '';
  return {
    ...base,
    isError: true,
    content: `Error (${result.error.code}): ${result.error.message}${details}`,
  };
}

export function malformedMessage(call: ModelToolCall): ChatMessage {
  return {
    role: 'tool',
    callId: call.id,
    name: call.name,
    isError: true,
    content: `Error (malformed_arguments): the arguments were not valid JSON: ${JSON.stringify(String(call.arguments)).slice(0, 500)}. Send a JSON object.`,
  };
}

/** Messages live in the run state as JSON; this is the typed view of them. */
export function asMessages(value: Json | undefined): ChatMessage[] {
  return (Array.isArray(value) ? value : []) as unknown as ChatMessage[];
}

export function isRepairable(result: ToolResult): boolean {
  return result.status === 'failed' && isModelRepairable(result.error.code);
}
