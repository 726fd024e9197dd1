import { APIConnectionError, APIConnectionTimeoutError, APIError, OpenAIError } from 'openai';
import { type ProviderError, translateSdkError } from '@kestrion/core';

export const PROVIDER_NAME = 'openai';

const CLASSES = {
  base: OpenAIError,
  api: APIError,
  connection: APIConnectionError,
  connectionTimeout: APIConnectionTimeoutError,
};

/** An OpenAI SDK error as a Kestrion ProviderError (see `translateSdkError`). */
export function translateOpenAIError(error: unknown): ProviderError {
  return translateSdkError(PROVIDER_NAME, CLASSES, error, Date.now());
}
