import { APIConnectionError, APIConnectionTimeoutError, APIError, OpenAIError } from 'openai';
import type { ProviderError } from '@kestrion/core';
import { translateSdkError } from '@kestrion/core/provider-kit';

export const PROVIDER_NAME = 'openai';

const CLASSES = {
  base: OpenAIError,
  api: APIError,
  connection: APIConnectionError,
  connectionTimeout: APIConnectionTimeoutError,
};

/**
 * An OpenAI SDK error as a Kestrion ProviderError (see `translateSdkError`); `secrets` (the
 * client's API key) never appear in its message or its cause's.
 */
export function translateOpenAIError(
  error: unknown,
  secrets: readonly (string | undefined)[] = [],
): ProviderError {
  return translateSdkError(PROVIDER_NAME, CLASSES, error, Date.now(), secrets);
}
