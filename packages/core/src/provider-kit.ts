// @kestrion/core/provider-kit — what a Provider implementer needs beyond the application entry:
// the call loop with retries and timeouts, retry policy, SDK error translation, pricing, tool
// argument parsing, JSON Schema helpers for provider tool views, and `ScriptedProvider`.
export type {
  ChatMessage,
  ModelToolSpec,
  ModelRequest,
  ModelResponse,
  ModelToolCall,
  ModelUsage,
  StopReason,
  Provider,
  ProviderTool,
  CompleteOptions,
  RetryInfo,
} from './providers/provider';
export { isRetryableStatus } from './providers/provider-errors';
export type { ProviderErrorOptions } from './providers/provider-errors';
export {
  DEFAULT_PROVIDER_TIMEOUT_MS,
  DEFAULT_RETRY_POLICY,
  providerRetryPolicy,
  retryPolicy,
  retryDelayMs,
} from './providers/retry-policy';
export type { ProviderRetryOptions, RetryPolicy } from './providers/retry-policy';
export { parseRetryAfterMs } from './providers/retry-after';
export type { HeaderLookup } from './providers/retry-after';
export { runProviderCall } from './providers/provider-call';
export type { AttemptContext, ProviderCallOptions } from './providers/provider-call';
export { toolCallFromText, toolCallFromValue, MAX_TOOL_ARGUMENT_DEPTH } from './providers/tool-arguments';
export { DEFAULT_PRICING, priceOf, costOf } from './providers/pricing';
export type { ModelPrice, PricingTable } from './providers/pricing';
export { translateSdkError } from './providers/sdk-error-translation';
export type { SdkErrorClasses } from './providers/sdk-error-translation';
export {
  isSchemaObject,
  typesOf,
  withNull,
  acceptsNull,
  SCHEMA_MAP_KEYWORDS,
  SCHEMA_LIST_KEYWORDS,
  SCHEMA_SINGLE_KEYWORDS,
} from './providers/schema-node';
export { ScriptedProvider, ScriptExhaustedError } from './providers/scripted-provider';
export type { ScriptedTurn } from './providers/scripted-provider';
export { canonicalJson } from './util/json';
export { jsonHash } from './util/hash';
export { scrubSecrets, scrubError, scrubUrl, urlPassword } from './util/secret-scrub';
