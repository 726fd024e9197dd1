import { APIConnectionError, APIConnectionTimeoutError, APIError, AnthropicError } from '@anthropic-ai/sdk';
import { type ProviderError, translateSdkError } from '@kestrion/core';

export const PROVIDER_NAME = 'anthropic';

const CLASSES = {
  base: AnthropicError,
  api: APIError,
  connection: APIConnectionError,
  connectionTimeout: APIConnectionTimeoutError,
};

/** An Anthropic SDK error as a Kestrion ProviderError (see `translateSdkError`). */
export function translateAnthropicError(error: unknown): ProviderError {
  return translateSdkError(PROVIDER_NAME, CLASSES, error, Date.now());
}
