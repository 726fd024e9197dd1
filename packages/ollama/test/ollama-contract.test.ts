import { ollama } from '@kestrion/ollama';
import { describeProviderContract, FakeOllamaServer } from '@kestrion/testing';

describeProviderContract('Ollama', () => ({
  server: new FakeOllamaServer(),
  model: 'qwen3:8b',
  cacheTokens: 'none',
  provider: ({ baseURL, ...options }) => ollama('qwen3:8b', { ...options, host: baseURL }),
}));
