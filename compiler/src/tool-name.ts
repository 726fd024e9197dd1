/**
 * The tool names model providers accept: Anthropic's `tools[].name` and OpenAI's
 * `functions[].name` both require `^[a-zA-Z0-9_-]{1,64}$` (Ollama passes names through, so
 * the stricter rule is the portable one). A manifest's `name` goes to the provider unchanged.
 */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/** Why `name` is not a valid provider tool name, or undefined when it is. */
export function toolNameProblem(name: string): string | undefined {
  if (TOOL_NAME_PATTERN.test(name)) return undefined;
  if (name.length === 0) return 'is empty';
  const bad = [...new Set([...name].filter((ch) => !/[a-zA-Z0-9_-]/.test(ch)))];
  const parts: string[] = [];
  if (bad.length > 0) parts.push(`contains ${bad.map((ch) => JSON.stringify(ch)).join(', ')}`);
  if (name.length > 64) parts.push(`is ${name.length} characters long (at most 64)`);
  return parts.join(' and ');
}

/** A valid name close to `name`: other characters become `_`, cut to 64. */
export function suggestToolName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
  return cleaned === '' ? 'my_tool' : cleaned;
}
