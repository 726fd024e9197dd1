import { ConfigurationError, type JsonObject, type ModelToolSpec } from '@kestrion/core';
import { toAnthropicInputSchema } from '../schema/anthropic-input-schema';
import { toOllamaSchema } from '../schema/ollama-schema';
import { toOpenAIStrictSchema } from '../schema/openai-strict-schema';
import type { BoundTool } from '../tools/bound-tool';

/**
 * The tool schemas in the view the provider's vendor accepts (chosen by `provider.name`):
 * OpenAI strict function schemas where a tool fits strict mode (else plain, `strict` off),
 * Anthropic `input_schema`, Ollama's simplified schemas; the compiler's JSON Schema otherwise.
 */
export function toolSpecsFor(providerName: string, tools: readonly BoundTool[]): ModelToolSpec[] {
  return tools.map((t) => {
    const base = { name: t.name, description: t.description };
    if (providerName === 'anthropic')
      return { ...base, parameters: toAnthropicInputSchema(t.parameters) as JsonObject };
    if (providerName === 'ollama') return { ...base, parameters: toOllamaSchema(t.parameters) as JsonObject };
    if (providerName === 'openai') {
      try {
        return { ...base, parameters: toOpenAIStrictSchema(t.parameters) as JsonObject, strict: true };
      } catch (error) {
        // An open Record cannot be expressed in strict mode: send that tool unstrict.
        if (!(error instanceof ConfigurationError)) throw error;
        return { ...base, parameters: t.parameters };
      }
    }
    return { ...base, parameters: t.parameters };
  });
}
