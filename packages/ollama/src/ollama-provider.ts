import {
  ConfigurationError,
  IncompleteResponseError,
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
  DEFAULT_PROVIDER_TIMEOUT_MS,
  providerRetryPolicy,
  runProviderCall,
  type AttemptContext,
  type ModelPrice,
  type RetryPolicy,
  scrubError,
  scrubSecrets,
  urlPassword,
} from '@kestrion/core/provider-kit';
import { postJson, readJson, readNdjson } from './ollama-http';
import { toOllamaBody } from './ollama-messages';
import { toOllamaSchema } from './ollama-schema';
import { OllamaAccumulator, PROVIDER_NAME } from './ollama-response';

export interface OllamaOptions {
  /**
   * Defaults to `OLLAMA_HOST`, else http://127.0.0.1:11434. A bare `host:port` gets `http://`.
   * Credentials in it (`http://user:password@host:11434`, for a proxy) are sent as a Basic
   * `Authorization` header (fetch refuses URLs with credentials) and never appear in an error.
   */
  host?: string;
  /** Extra request headers (a proxy's auth, say). */
  headers?: Record<string, string>;
  /** Retries after the first attempt (default 2). */
  maxRetries?: number;
  /** Time limit of each attempt in ms, the whole answer included (default 10 minutes: a cold model loads slowly). */
  timeoutMs?: number;
  /** The price of this provider's calls; default 0 (a local model bills nothing per token). */
  pricing?: ModelPrice;
  /** Backoff settings and, for tests, the sleep and random functions. */
  retry?: Partial<RetryPolicy>;
}

export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';
export const DEFAULT_TIMEOUT_MS = DEFAULT_PROVIDER_TIMEOUT_MS;
const FREE: ModelPrice = { inputPerMTok: 0, outputPerMTok: 0, cacheReadPerMTok: 0, cacheWritePerMTok: 0 };

/**
 * A Provider on Ollama's `/api/chat` with Node's fetch. Streams NDJSON when the call passes
 * `onTextDelta`, else asks for one JSON answer; both give the same response. Small models'
 * tool calls are recovered from: arguments may arrive as an object or as a string, and ones
 * that do not parse come back `malformed: true` with the raw text. Tool schemas are sent as
 * given; `toolSpec` gives a tool's simplified view (`toOllamaSchema`), which a runtime such as
 * `@kestrion/agent` calls through the Provider port.
 */
export function ollama(model: string, options: OllamaOptions = {}): Provider {
  return new OllamaProvider(model, options);
}

export class OllamaProvider implements Provider {
  readonly name = PROVIDER_NAME;
  /** The host without its credentials. */
  readonly host: string;
  private readonly headers: Record<string, string>;
  private readonly secrets: string[];
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;

  constructor(
    readonly model: string,
    private readonly options: OllamaOptions = {},
  ) {
    if (model === '') throw new ConfigurationError('ollama(model): pass a model name such as "qwen3:8b"');
    const given = options.host ?? process.env.OLLAMA_HOST ?? DEFAULT_OLLAMA_HOST;
    let normalized: string;
    try {
      normalized = normalizeHost(given);
    } catch (error) {
      const shown = scrubSecrets(given, [urlPassword(given), urlPassword(`http://${given}`)]);
      throw new ConfigurationError(
        `ollama: host ${JSON.stringify(shown)} is not a URL; pass { host: 'http://host:11434' } or set OLLAMA_HOST`,
        { cause: scrubError(error, [urlPassword(given), urlPassword(`http://${given}`)]) },
      );
    }
    const { host, username, password } = splitCredentials(normalized);
    this.host = host;
    const own = options.headers ?? {};
    const hasAuthorization = Object.keys(own).some((k) => k.toLowerCase() === 'authorization');
    const basic =
      username !== '' || password !== ''
        ? `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`
        : undefined;
    this.headers = { ...(basic !== undefined && !hasAuthorization ? { authorization: basic } : {}), ...own };
    // Every header value may be a credential (a proxy's token): none may reach an error message.
    this.secrets = [password, ...Object.values(this.headers)].filter((s) => s !== '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.policy = providerRetryPolicy(options);
  }

  complete(request: ModelRequest, options: CompleteOptions = {}): Promise<ModelResponse> {
    const streamed = options.onTextDelta !== undefined;
    const body = toOllamaBody({ ...request, model: request.model || this.model }, streamed);
    return runProviderCall(
      {
        ...options,
        provider: PROVIDER_NAME,
        policy: this.policy,
        timeoutMs: options.timeoutMs ?? this.timeoutMs,
        translate: (error) =>
          new IncompleteResponseError(PROVIDER_NAME, String(error), { cause: error, secrets: this.secrets }),
      },
      (attempt) => this.attempt(body, attempt),
    );
  }

  /** The tool with its parameters in the simplified shape Ollama's tool API reads. */
  toolSpec(tool: ProviderTool): ModelToolSpec {
    return { name: tool.name, description: tool.description, parameters: toOllamaSchema(tool.parameters) };
  }

  cost(response: ModelResponse): EventCost {
    return costOf(response.usage, this.options.pricing ?? FREE);
  }

  private async attempt(
    body: ReturnType<typeof toOllamaBody>,
    { signal, onTextDelta }: AttemptContext,
  ): Promise<ModelResponse> {
    const response = await postJson(`${this.host}/api/chat`, body, this.headers, signal, this.secrets);
    const accumulator = new OllamaAccumulator(onTextDelta);
    await (body.stream ? readNdjson(response, accumulator) : readJson(response, accumulator));
    return accumulator.finish();
  }
}

/** `OLLAMA_HOST` as Ollama accepts it: `host:port`, `0.0.0.0` (a bind address) or a full URL. */
export function normalizeHost(host: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `http://${host}`;
  const url = new URL(withScheme);
  if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1';
  if (url.port === '' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) url.port = '11434';
  return url.toString().replace(/\/+$/, '');
}

/** The URL without its userinfo, and the user name and password it had (decoded). */
function splitCredentials(host: string): { host: string; username: string; password: string } {
  const url = new URL(host);
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const username = decode(url.username);
  const password = decode(url.password);
  if (username === '' && password === '') return { host, username, password };
  url.username = '';
  url.password = '';
  return { host: url.toString().replace(/\/+$/, ''), username, password };
}
