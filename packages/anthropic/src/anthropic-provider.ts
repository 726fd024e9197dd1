import Anthropic from '@anthropic-ai/sdk';
import {
  ConfigurationError,
  type CompleteOptions,
  type EventCost,
  type ModelRequest,
  type ModelResponse,
  type ModelToolSpec,
  type Provider,
  type ProviderTool,
} from '@kestrion/core';
import {
  costOf,
  priceOf,
  DEFAULT_PROVIDER_TIMEOUT_MS,
  providerRetryPolicy,
  runProviderCall,
  type AttemptContext,
  type ModelPrice,
  type RetryPolicy,
} from '@kestrion/core/provider-kit';
import { PROVIDER_NAME, translateAnthropicError } from './anthropic-errors';
import { DEFAULT_MAX_TOKENS, toAnthropicParams } from './anthropic-messages';
import { toAnthropicInputSchema } from './anthropic-input-schema';
import { AnthropicStreamAccumulator, fromMessage } from './anthropic-response';

export interface AnthropicOptions {
  /** Defaults to the SDK's own resolution (`ANTHROPIC_API_KEY`, then its credential files). */
  apiKey?: string;
  /** Defaults to the SDK's (`ANTHROPIC_BASE_URL` or the public API). */
  baseURL?: string;
  /** Retries after the first attempt (default 2). The SDK's own retries are always off. */
  maxRetries?: number;
  /** Time limit of each attempt in ms, the whole streamed answer included (default 10 minutes). */
  timeoutMs?: number;
  /** `max_tokens` when a request sets none (default {@link DEFAULT_MAX_TOKENS}). */
  maxTokens?: number;
  /** The price of this provider's calls, overriding the built-in table (unknown model: usd null). */
  pricing?: ModelPrice;
  /** Backoff settings and, for tests, the sleep and random functions. */
  retry?: Partial<RetryPolicy>;
}

export const DEFAULT_TIMEOUT_MS = DEFAULT_PROVIDER_TIMEOUT_MS;

/**
 * A Provider on Anthropic's Messages API through the official SDK. Streams (SSE) when the call
 * passes `onTextDelta`, else asks for one JSON message; both give the same response. Tool
 * schemas are sent as given; `toolSpec` gives a tool's `input_schema` view (`toAnthropicInputSchema`,
 * which a runtime such as `@kestrion/agent` calls through the Provider port). Retries are Kestrion's ({@link RetryPolicy}); the SDK's are disabled.
 */
export function anthropic(model: string, options: AnthropicOptions = {}): Provider {
  return new AnthropicProvider(model, options);
}

export class AnthropicProvider implements Provider {
  readonly name = PROVIDER_NAME;
  private readonly client: Anthropic;
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;

  constructor(
    readonly model: string,
    private readonly options: AnthropicOptions = {},
  ) {
    if (model === '')
      throw new ConfigurationError('anthropic(model): pass a model id such as "claude-haiku-4-5"');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.policy = providerRetryPolicy(options);
    try {
      this.client = new Anthropic({
        ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
        ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
        maxRetries: 0,
        timeout: this.timeoutMs,
      });
    } catch (error) {
      throw new ConfigurationError(`anthropic: cannot create the client: ${String(error)}`, { cause: error });
    }
  }

  complete(request: ModelRequest, options: CompleteOptions = {}): Promise<ModelResponse> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const params = toAnthropicParams(
      { ...request, model: request.model || this.model },
      this.options.maxTokens ?? DEFAULT_MAX_TOKENS,
    );
    return runProviderCall(
      {
        ...options,
        provider: PROVIDER_NAME,
        policy: this.policy,
        timeoutMs,
        translate: (error) =>
          translateAnthropicError(error, [
            this.client.apiKey ?? undefined,
            this.client.authToken ?? undefined,
          ]),
      },
      (attempt) => this.attempt(params, attempt, timeoutMs),
    );
  }

  /** The tool with its parameters as Anthropic's `input_schema` (an object schema at the root). */
  toolSpec(tool: ProviderTool): ModelToolSpec {
    return {
      name: tool.name,
      description: tool.description,
      parameters: toAnthropicInputSchema(tool.parameters),
    };
  }

  cost(response: ModelResponse): EventCost {
    return costOf(response.usage, this.options.pricing ?? priceOf(response.model) ?? priceOf(this.model));
  }

  private async attempt(
    params: ReturnType<typeof toAnthropicParams>,
    { signal, onTextDelta }: AttemptContext,
    timeoutMs: number,
  ): Promise<ModelResponse> {
    // The SDK's timeout backs ours up; ours also covers reading the stream.
    const requestOptions = { signal, timeout: timeoutMs + 1_000, maxRetries: 0 };
    if (onTextDelta === undefined)
      return fromMessage(await this.client.messages.create({ ...params, stream: false }, requestOptions));
    const stream = await this.client.messages.create({ ...params, stream: true }, requestOptions);
    const accumulator = new AnthropicStreamAccumulator(onTextDelta);
    // A cut socket throws here and is translated into an IncompleteResponseError; a stream that
    // ends cleanly but early is refused by finish(): no partial message is ever returned.
    for await (const event of stream) accumulator.add(event);
    return accumulator.finish(PROVIDER_NAME);
  }
}
