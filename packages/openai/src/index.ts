// @kestrion/openai — a Kestrion Provider on the official OpenAI SDK (Chat Completions).
export { openai, OpenAIProvider, DEFAULT_TIMEOUT_MS } from './openai-provider';
export type { OpenAIOptions } from './openai-provider';
export { toOpenAIParams, toOpenAIMessage } from './openai-messages';
export { translateOpenAIError } from './openai-errors';
export {
  toOpenAIStrictSchema,
  fromOpenAIStrictArgs,
  openAIToolSpec,
  OPENAI_STRICT_FORMATS,
  OPENAI_STRICT_KEYWORDS,
} from './openai-strict-schema';
