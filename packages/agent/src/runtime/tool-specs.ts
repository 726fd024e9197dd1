import type { ModelToolSpec, Provider, ToolDefinition } from '@kestrion/core';
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

const NO_PARAMETERS = { type: 'object', properties: {} };

/**
 * The specs of engine tool definitions given to an Agent as they are (`tools`: an MCP server's),
 * in the provider's view like the decorated ones; a tool without `parameters` takes none.
 */
export function extraToolSpecs(provider: Provider, tools: readonly ToolDefinition[]): ModelToolSpec[] {
  return tools.map((t) => {
    const tool = {
      name: t.name,
      description: t.description ?? '',
      parameters: t.parameters ?? NO_PARAMETERS,
    };
    return provider.toolSpec ? provider.toolSpec(tool) : tool;
  });
}
