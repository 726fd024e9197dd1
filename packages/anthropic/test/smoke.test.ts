import { anthropic } from '@kestrion/anthropic';
import { describeLiveSmoke } from '@kestrion/testing';

describeLiveSmoke({
  vendor: 'Anthropic',
  envVar: 'ANTHROPIC_API_KEY',
  model: process.env.ANTHROPIC_SMOKE_MODEL ?? 'claude-haiku-4-5',
  provider: (model) => anthropic(model),
});
