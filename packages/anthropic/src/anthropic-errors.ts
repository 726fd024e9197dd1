import { APIConnectionError, APIConnectionTimeoutError, APIError, AnthropicError } from '@anthropic-ai/sdk';
import {
  IncompleteResponseError,
  parseRetryAfterMs,
  ProviderError,
  ProviderTimeoutError,
} from '@kestrion/core';

export const PROVIDER_NAME = 'anthropic';

/**
 * An SDK error as a Kestrion ProviderError: HTTP errors keep their status and `Retry-After`,
 * connection failures are retryable, the SDK's own timeout is a ProviderTimeoutError. Anything
 * else escaped while the body or stream was being read (undici's `TypeError: terminated` on a
 * cut socket): an IncompleteResponseError. The SDK error stays reachable as `cause` only.
 */
export function translateAnthropicError(error: unknown): ProviderError {
  if (error instanceof APIConnectionTimeoutError)
    return new ProviderTimeoutError(PROVIDER_NAME, undefined, { cause: error });
  if (error instanceof APIConnectionError)
    return new ProviderError(
      PROVIDER_NAME,
      `connection failed: ${error.message}`,
      { cause: error },
      'provider_connection',
    );
  if (error instanceof APIError && typeof error.status === 'number')
    return new ProviderError(PROVIDER_NAME, error.message, {
      cause: error,
      status: error.status,
      retryAfterMs: parseRetryAfterMs(error.headers, Date.now()),
    });
  // The SDK refused before sending (no credentials, a bad option): retrying cannot help.
  if (error instanceof AnthropicError && !(error instanceof APIError))
    return new ProviderError(
      PROVIDER_NAME,
      error.message,
      { cause: error, retryable: false },
      'provider_client',
    );
  return new IncompleteResponseError(PROVIDER_NAME, `the response broke off: ${String(error)}`, {
    cause: error,
  });
}
