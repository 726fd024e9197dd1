import type { Json, JsonObject } from '../util/json';
import type { ModelToolCall } from './provider';

/** Keys that would reach an object's prototype if copied naively; no tool schema has them. */
const HOSTILE_KEYS = new Set(['__proto__']);

/**
 * Deepest nesting of tool arguments accepted from a model (the arguments object is level 1).
 * The arguments are recorded inside events (the model's response, the tool request, the
 * conversation) whose data may nest at most MAX_EVENT_DATA_DEPTH (64) levels; half of that
 * leaves room for the envelopes around them. No real tool schema comes close.
 */
export const MAX_TOOL_ARGUMENT_DEPTH = 32;

/**
 * A tool call from the model's raw argument text. Arguments that are not a JSON object, that
 * carry a `__proto__` key at any depth, or that nest deeper than MAX_TOOL_ARGUMENT_DEPTH, come
 * back as `malformed: true` with the raw text as `arguments`: the engine sends the problem back
 * to the model and runs nothing. Never throws, whatever the text.
 */
export function toolCallFromText(id: string, name: string, raw: string): ModelToolCall {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { id, name, arguments: raw, malformed: true };
  }
  return isSafeObject(parsed)
    ? { id, name, arguments: parsed }
    : { id, name, arguments: raw, malformed: true };
}

/**
 * A tool call from arguments a provider already decoded (Anthropic's `input`, Ollama's
 * `arguments`): a string is parsed as text (small models send one), an object is checked as
 * {@link toolCallFromText} checks parsed text.
 */
export function toolCallFromValue(id: string, name: string, value: unknown): ModelToolCall {
  if (typeof value === 'string') return toolCallFromText(id, name, value);
  if (isSafeObject(value)) return { id, name, arguments: value };
  let raw: string;
  try {
    raw = JSON.stringify(value) ?? String(value);
  } catch {
    raw = String(value);
  }
  return { id, name, arguments: raw, malformed: true };
}

/**
 * A plain JSON object with no hostile key anywhere inside, nested at most
 * MAX_TOOL_ARGUMENT_DEPTH levels (checked without recursion).
 */
function isSafeObject(value: unknown): value is JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    if (depth > MAX_TOOL_ARGUMENT_DEPTH) return false;
    for (const key of Object.keys(node)) {
      if (HOSTILE_KEYS.has(key)) return false;
      pending.push([(node as Record<string, Json>)[key], depth + 1]);
    }
  }
  return true;
}
