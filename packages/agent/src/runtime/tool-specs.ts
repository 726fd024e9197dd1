import type { ModelToolSpec, Provider } from '@kestrion/core';
import type { BoundTool } from '../tools/bound-tool';

/**
 * The tool schemas as the provider offers them: its `toolSpec` view when it has one (OpenAI's
 * strict schemas, Anthropic's `input_schema`, Ollama's simplified schemas, each from its own
 * package), the compiler's JSON Schema otherwise. Nothing here knows any vendor.
 */
export function toolSpecsFor(provider: Provider, tools: readonly BoundTool[]): ModelToolSpec[] {
  return tools.map((t) => {
    const tool = { name: t.name, description: t.description, parameters: t.parameters };
    return provider.toolSpec ? provider.toolSpec(tool) : tool;
  });
}
