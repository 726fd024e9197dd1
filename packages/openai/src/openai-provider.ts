import OpenAI from 'openai';
import {
  ConfigurationError,
  type CompleteOptions,
  type EventCost,
  type JsonObject,
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
import { PROVIDER_NAME, translateOpenAIError } from './openai-errors';
import { toOpenAIParams } from './openai-messages';
import { fromCompletion, OpenAIStreamAccumulator } from './openai-response';
import { fromOpenAIStrictArgs, openAIToolSpec } from './openai-strict-schema';

export interface OpenAIOptions {
  /** Defaults to `OPENAI_API_KEY`. */
  apiKey?: string;
  /** Defaults to the SDK's (`OPENAI_BASE_URL` or the public API); must end in `/v1`. */
  baseURL?: string;
  organization?: string;
  project?: string;
  /** Retries after the first attempt (default 2). The SDK's own retries are always off. */
  maxRetries?: number;
  /** Time limit of each attempt in ms, the whole streamed answer included (default 10 minutes). */
  timeoutMs?: number;
  /** The price of this provider's calls, overriding the built-in table (unknown model: usd null). */
  pricing?: ModelPrice;
  /** Backoff settings and, for tests, the sleep and random functions. */
  retry?: Partial<RetryPolicy>;
}

export const DEFAULT_TIMEOUT_MS = DEFAULT_PROVIDER_TIMEOUT_MS;

/**
 * A Provider on OpenAI's Chat Completions API through the official SDK. Streams (SSE, with
 * usage) when the call passes `onTextDelta`, else asks for one JSON completion; both give the
 * same response. A tool marked `strict: true` is sent as a strict function (see
 * {@link toOpenAIParams}). Retries are Kestrion's ({@link RetryPolicy}); the SDK's are disabled.
 */
export function openai(model: string, options: OpenAIOptions = {}): Provider {
  return new OpenAIProvider(model, options);
}

export class OpenAIProvider implements Provider {
  readonly name = PROVIDER_NAME;
  private readonly client: OpenAI;
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;

  constructor(
    readonly model: string,
    private readonly options: OpenAIOptions = {},
  ) {
    if (model === '') throw new ConfigurationError('openai(model): pass a model id such as "gpt-4.1"');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.policy = providerRetryPolicy(options);
    try {
      this.client = new OpenAI({
        ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
        ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
        ...(options.organization === undefined ? {} : { organization: options.organization }),
        ...(options.project === undefined ? {} : { project: options.project }),
        maxRetries: 0,
        timeout: this.timeoutMs + 1_000,
      });
    } catch (error) {
      throw new ConfigurationError(
        `openai: cannot create the client (${String(error)}); pass { apiKey } or set OPENAI_API_KEY`,
        { cause: error },
      );
    }
  }

  complete(request: ModelRequest, options: CompleteOptions = {}): Promise<ModelResponse> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const params = toOpenAIParams({ ...request, model: request.model || this.model });
    return runProviderCall(
      {
        ...options,
        provider: PROVIDER_NAME,
        policy: this.policy,
        timeoutMs,
        translate: (error) => translateOpenAIError(error, [this.client.apiKey ?? undefined]),
      },
      (attempt) => this.attempt(params, attempt, timeoutMs),
    );
  }

  /** OpenAI's strict function schema where the tool fits strict mode, else its JSON Schema. */
  toolSpec(tool: ProviderTool): ModelToolSpec {
    return openAIToolSpec(tool);
  }

  /** Strict mode sends `null` for an optional property it had to make required: made absent again. */
  normalizeToolArguments(tool: ProviderTool, offered: ModelToolSpec, args: JsonObject): JsonObject {
    return offered.strict === true ? fromOpenAIStrictArgs(tool.parameters, args) : args;
  }

  cost(response: ModelResponse): EventCost {
    return costOf(response.usage, this.options.pricing ?? priceOf(response.model) ?? priceOf(this.model));
  }

  private async attempt(
    params: ReturnType<typeof toOpenAIParams>,
    { signal, onTextDelta }: AttemptContext,
    timeoutMs: number,
  ): Promise<ModelResponse> {
    // The SDK's timeout backs ours up; ours also covers reading the stream.
    const requestOptions = { signal, timeout: timeoutMs + 1_000, maxRetries: 0 };
    if (onTextDelta === undefined)
      return fromCompletion(
        await this.client.chat.completions.create({ ...params, stream: false }, requestOptions),
      );
    const stream = await this.client.chat.completions.create(
      { ...params, stream: true, stream_options: { include_usage: true } },
      requestOptions,
    );
    const accumulator = new OpenAIStreamAccumulator(onTextDelta);
    // A cut socket throws here (translated into an IncompleteResponseError); a stream that ends
    // cleanly but early is refused by finish(): no partial completion is ever returned.
    for await (const chunk of stream) accumulator.add(chunk);
    return accumulator.finish(PROVIDER_NAME);
  }
}
