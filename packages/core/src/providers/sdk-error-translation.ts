import {
  IncompleteResponseError,
  ProviderClientError,
  ProviderConnectionError,
  ProviderError,
  ProviderTimeoutError,
} from '../errors/provider-errors';
import { parseRetryAfterMs } from './retry-after';

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * The error classes of a vendor SDK generated in the common shape (Anthropic's and OpenAI's
 * official SDKs are): passed in, so core stays free of SDK imports.
 */
export interface SdkErrorClasses {
  /** The SDK's root error class. */
  base: ErrorClass;
  /** HTTP errors: carry `status` and `headers`. */
  api: ErrorClass;
  connection: ErrorClass;
  connectionTimeout: ErrorClass;
}

/**
 * An SDK error as a Kestrion ProviderError: HTTP errors keep their status and `Retry-After`,
 * connection failures are retryable, the SDK's own timeout is a ProviderTimeoutError, an error
 * the SDK raised before sending (no credentials, a bad option) is not retryable. Anything else
 * escaped while the body or stream was being read (undici's `TypeError: terminated` on a cut
 * socket): an IncompleteResponseError. The SDK error stays reachable as `cause` only.
 * Messages (and the SDK error's own) are scrubbed of credentials and of `secrets` (the
 * client's API key): a 401 whose body echoes the key does not leak it.
 */
export function translateSdkError(
  provider: string,
  classes: SdkErrorClasses,
  error: unknown,
  nowMs: number,
  secrets: readonly (string | undefined)[] = [],
): ProviderError {
  if (error instanceof classes.connectionTimeout)
    return new ProviderTimeoutError(provider, undefined, { cause: error, secrets });
  if (error instanceof classes.connection)
    return new ProviderConnectionError(provider, `connection failed: ${error.message}`, {
      cause: error,
      secrets,
    });
  if (error instanceof classes.api) {
    const { status, headers } = error as Error & { status?: unknown; headers?: unknown };
    if (typeof status === 'number')
      return new ProviderError(provider, error.message, {
        cause: error,
        secrets,
        status,
        retryAfterMs: parseRetryAfterMs(headers as Parameters<typeof parseRetryAfterMs>[0], nowMs),
      });
  }
  if (error instanceof classes.base && !(error instanceof classes.api))
    return new ProviderClientError(provider, (error as Error).message, { cause: error, secrets });
  return new IncompleteResponseError(provider, `the response broke off: ${String(error)}`, {
    cause: error,
    secrets,
  });
}
