import { openai } from '@kestrion/openai';
import { describeLiveSmoke } from '@kestrion/testing';

describeLiveSmoke({
  vendor: 'OpenAI',
  envVar: 'OPENAI_API_KEY',
  model: process.env.OPENAI_SMOKE_MODEL ?? 'gpt-4.1-mini',
  provider: (model) => openai(model),
  strictTools: true,
});
