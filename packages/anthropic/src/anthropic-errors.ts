import { APIConnectionError, APIConnectionTimeoutError, APIError, AnthropicError } from '@anthropic-ai/sdk';
import type { ProviderError } from '@kestrion/core';
import { translateSdkError } from '@kestrion/core/provider-kit';

export const PROVIDER_NAME = 'anthropic';

const CLASSES = {
  base: AnthropicError,
  api: APIError,
  connection: APIConnectionError,
  connectionTimeout: APIConnectionTimeoutError,
};

/**
 * An Anthropic SDK error as a Kestrion ProviderError (see `translateSdkError`); `secrets` (the
 * client's API key) never appear in its message or its cause's.
 */
export function translateAnthropicError(
  error: unknown,
  secrets: readonly (string | undefined)[] = [],
): ProviderError {
  return translateSdkError(PROVIDER_NAME, CLASSES, error, Date.now(), secrets);
}
