import { openai } from '@kestrion/openai';
import { describeProviderContract, FakeOpenAIServer } from '@kestrion/testing';

describeProviderContract('OpenAI', () => ({
  server: new FakeOpenAIServer(),
  model: 'gpt-4.1',
  cacheTokens: 'read',
  provider: (options) => openai('gpt-4.1', { ...options, apiKey: 'sk-test' }),
}));
