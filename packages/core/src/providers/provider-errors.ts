// The provider error classes live with every other Kestrion error, in errors/provider-errors.ts.
export {
  isRetryableStatus,
  ProviderError,
  ProviderTimeoutError,
  ProviderCancelledError,
  IncompleteResponseError,
} from '../errors/provider-errors';
export type { ProviderErrorOptions } from '../errors/provider-errors';
