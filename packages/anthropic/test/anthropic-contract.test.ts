import { anthropic } from '@kestrion/anthropic';
import { describeProviderContract, FakeAnthropicServer } from '@kestrion/testing';

describeProviderContract('Anthropic', () => ({
  server: new FakeAnthropicServer(),
  model: 'claude-haiku-4-5',
  cacheTokens: 'read-and-write',
  provider: (options) => anthropic('claude-haiku-4-5', { ...options, apiKey: 'sk-ant-test' }),
}));
