import { ollama } from '@kestrion/ollama';
import { describeLiveSmoke } from '@kestrion/testing';

describeLiveSmoke({
  vendor: 'Ollama',
  envVar: 'OLLAMA_HOST',
  model: process.env.OLLAMA_SMOKE_MODEL ?? 'llama3.2',
  provider: (model) => ollama(model, { host: process.env.OLLAMA_HOST as string }),
  timeoutMs: 180_000,
});
