import type { ModelRequest, Provider } from '@kestrion/core';
import { ScriptedProvider } from '@kestrion/core/provider-kit';

/**
 * Anthropic when ANTHROPIC_API_KEY is set, OpenAI when OPENAI_API_KEY is set, Ollama when
 * OLLAMA_HOST is set, else a scripted model that needs no key. Says which.
 */
export async function chooseProvider(): Promise<{ provider: Provider; model: string; label: string }> {
  if (process.env.ANTHROPIC_API_KEY) {
    const { anthropic } = (await import('@kestrion/anthropic' as string)) as {
      anthropic(model: string): Provider;
    };
    return {
      provider: anthropic('claude-sonnet-4-5'),
      model: 'claude-sonnet-4-5',
      label: 'Anthropic (ANTHROPIC_API_KEY)',
    };
  }
  if (process.env.OPENAI_API_KEY) {
    const { openai } = (await import('@kestrion/openai' as string)) as { openai(model: string): Provider };
    return { provider: openai('gpt-4.1-mini'), model: 'gpt-4.1-mini', label: 'OpenAI (OPENAI_API_KEY)' };
  }
  if (process.env.OLLAMA_HOST) {
    const { ollama } = (await import('@kestrion/ollama' as string)) as { ollama(model: string): Provider };
    return { provider: ollama('llama3.2'), model: 'llama3.2', label: `Ollama at ${process.env.OLLAMA_HOST}` };
  }
  return { provider: scripted(), model: 'scripted', label: 'the scripted model (no API key set)' };
}

/** Each process asks the model only for turns not yet in the log, so the script answers by what it sees. */
function scripted(): ScriptedProvider {
  const answer = (req: ModelRequest) => {
    const toolResults = req.messages.filter((m) => m.role === 'tool');
    if (toolResults.length === 0)
      return {
        text: 'Let me look at the cluster.',
        toolCalls: [{ id: 'c1', name: 'getClusterState', arguments: {} }],
      };
    if (toolResults.length === 1) {
      const yaml =
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: checkout-api\nspec:\n  replicas: 3\n';
      return {
        text: 'checkout-api runs 2 replicas; scaling to 3.',
        toolCalls: [{ id: 'c2', name: 'applyManifest', arguments: { yaml } }],
      };
    }
    return { text: `Done: ${toolResults.at(-1)?.content ?? ''}` };
  };
  return new ScriptedProvider([answer, answer, answer]);
}
