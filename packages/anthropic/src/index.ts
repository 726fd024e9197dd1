// @kestrion/anthropic — a Kestrion Provider on the official Anthropic SDK.
export { anthropic, AnthropicProvider, DEFAULT_TIMEOUT_MS } from './anthropic-provider';
export type { AnthropicOptions } from './anthropic-provider';
export { toAnthropicParams, toAnthropicMessages, DEFAULT_MAX_TOKENS } from './anthropic-messages';
export { translateAnthropicError } from './anthropic-errors';
export { toAnthropicInputSchema } from './anthropic-input-schema';
