import { ConfigurationError } from '../errors/configuration-errors';
import { QuotaExhaustedError } from '../errors/provider-errors';
import { systemClock, type Clock } from '../ports/clock';
import { randomIds, type IdGenerator } from '../ports/ids';
import type { CompleteOptions, ModelRequest, ModelResponse, Provider } from '../providers/provider';
import { estimatePromptTokens } from './quota-estimate';
import { attemptOutcome, usedTokens } from './quota-outcome';
import type { QuotaLimits, QuotaStore } from './quota-store';
import { assertReservable } from './quota-window';

export interface WithQuotaOptions {
  /** Where the buckets are counted: shared by every process that uses the same store. */
  quota: QuotaStore;
  /**
   * The limits of each model: a record (its `'*'` entry covers models it does not name; a
   * model it does not cover is a ConfigurationError), or a function (undefined: no quota).
   */
  limits: Readonly<Record<string, QuotaLimits>> | ((model: string) => QuotaLimits | undefined);
  /**
   * Tokens to reserve for a request: must be at least what the vendor will count. Default:
   * `estimatePromptTokens(request)` plus `request.maxTokens` (then required under a
   * `tokensPerMinute` limit).
   */
  estimate?: (request: ModelRequest) => number;
  clock?: Clock;
  ids?: IdGenerator;
  /** How long a reservation stays in flight before it is presumed abandoned (QUOTA_DEFAULT_HOLD_MS). */
  holdMs?: number;
  /** How long a 429 without `Retry-After` pauses the bucket (default 1 s). */
  rateLimitPauseMs?: number;
}

/**
 * `provider` under shared quotas: before each call (and each retry the provider makes) a
 * reservation in the bucket `${provider.name}:${model}`; after it, the reservation settles at
 * the response's usage. A call that never reached the vendor returns its reservation; a 429
 * pauses the bucket for every process for its `Retry-After`. When the bucket has no room the
 * call throws {@link QuotaExhaustedError} at once (nothing sent): the caller decides how to
 * wait (a worker parks the run until `retryAtMs`). See docs/quotas.md.
 */
export function withQuota(provider: Provider, options: WithQuotaOptions): Provider {
  return new QuotaProvider(provider, options);
}

class QuotaProvider implements Provider {
  readonly name: string;
  readonly cost?: Provider['cost'];
  readonly toolSpec?: Provider['toolSpec'];
  readonly normalizeToolArguments?: Provider['normalizeToolArguments'];
  private readonly clock: Clock;
  private readonly ids: IdGenerator;

  constructor(
    private readonly inner: Provider,
    private readonly options: WithQuotaOptions,
  ) {
    this.name = inner.name;
    if (inner.cost) this.cost = inner.cost.bind(inner);
    if (inner.toolSpec) this.toolSpec = inner.toolSpec.bind(inner);
    if (inner.normalizeToolArguments) this.normalizeToolArguments = inner.normalizeToolArguments.bind(inner);
    this.clock = options.clock ?? systemClock;
    this.ids = options.ids ?? randomIds;
  }

  async complete(request: ModelRequest, options: CompleteOptions = {}): Promise<ModelResponse> {
    const model = request.model || modelOf(this.inner);
    const limits = this.limitsFor(model);
    // No quota, or a call cancelled already (the provider refuses it without sending).
    if (limits === undefined || options.signal?.aborted) return this.inner.complete(request, options);
    const bucket = `${this.name}:${model}`;
    const tokens = this.estimate(request, limits, bucket);
    assertReservable(bucket, limits, tokens);
    const call = new QuotaCall(this.options, this.clock, this.ids, bucket, limits, tokens);
    await call.reserve();
    let response: ModelResponse;
    try {
      response = await this.inner.complete(request, {
        ...options,
        onRetry: async (info) => {
          await call.retrying(info.error);
          await options.onRetry?.(info);
        },
      });
    } catch (error) {
      await call.failed(error);
      throw error;
    }
    await call.settle(usedTokens(response.usage));
    return response;
  }

  private limitsFor(model: string): QuotaLimits | undefined {
    const { limits } = this.options;
    if (typeof limits === 'function') return limits(model);
    const own = Object.prototype.hasOwnProperty.call(limits, model) ? limits[model] : undefined;
    const found = own ?? limits['*'];
    if (found === undefined)
      throw new ConfigurationError(
        `withQuota: no limits for model ${JSON.stringify(model)} of ${this.name} ` +
          `(limits name ${Object.keys(limits).join(', ') || 'nothing'}); add it, or a '*' entry`,
      );
    return found;
  }

  private estimate(request: ModelRequest, limits: QuotaLimits, bucket: string): number {
    if (this.options.estimate) return this.options.estimate(request);
    if (request.maxTokens === undefined && limits.tokensPerMinute !== undefined)
      throw new ConfigurationError(
        `quota ${bucket}: a tokensPerMinute limit needs maxTokens on every request (the output ` +
          'is reserved before the call); set maxTokens, or pass withQuota an estimate function',
      );
    return estimatePromptTokens(request) + (request.maxTokens ?? 0);
  }
}

/** The model an adapter calls when the request names none (adapters expose it as `model`). */
function modelOf(provider: Provider): string {
  const model = (provider as { model?: unknown }).model;
  if (typeof model === 'string' && model !== '') return model;
  throw new ConfigurationError(
    `withQuota: the request names no model and ${provider.name} does not say its own; set request.model`,
  );
}

/**
 * One call's reservations: one per attempt the vendor may have counted. An attempt that was
 * rate limited or never sent hands its reservation on to the next attempt.
 */
class QuotaCall {
  private current: string | undefined;

  constructor(
    private readonly options: WithQuotaOptions,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly bucket: string,
    private readonly limits: QuotaLimits,
    private readonly tokens: number,
  ) {}

  /** Reserves for the next attempt; throws QuotaExhaustedError when the bucket has no room. */
  async reserve(): Promise<void> {
    const id = this.ids.newId('q');
    const result = await this.options.quota.reserve(this.bucket, this.limits, {
      id,
      tokens: this.tokens,
      now: this.clock.now(),
      ...(this.options.holdMs === undefined ? {} : { holdMs: this.options.holdMs }),
    });
    if (!result.granted) throw new QuotaExhaustedError(this.bucket, result.reason, result.retryAtMs);
    this.current = id;
  }

  /** An attempt failed and the provider will retry: account for it, then reserve for the retry. */
  async retrying(error: unknown): Promise<void> {
    const outcome = attemptOutcome(error);
    if (outcome === 'rate_limited') await this.pauseFor(error);
    if (outcome !== 'maybe_processed') return;
    await this.settle(this.tokens);
    await this.reserve();
  }

  /** The call failed for good. */
  async failed(error: unknown): Promise<void> {
    const id = this.current;
    if (id === undefined) return; // a retry was refused: nothing is reserved
    const outcome = attemptOutcome(error);
    if (outcome === 'rate_limited') await this.pauseFor(error);
    if (outcome === 'maybe_processed') return this.settle(this.tokens);
    this.current = undefined;
    await this.options.quota.release(this.bucket, id, this.clock.now()).catch(ignore);
  }

  /**
   * Settles the current reservation. A store failure here never fails the call: the
   * reservation then stays in flight until it is presumed abandoned, which over-counts.
   */
  async settle(tokens: number): Promise<void> {
    const id = this.current;
    if (id === undefined) return;
    this.current = undefined;
    await this.options.quota.settle(this.bucket, id, { tokens, now: this.clock.now() }).catch(ignore);
  }

  private async pauseFor(error: unknown): Promise<void> {
    const waitMs =
      (error as { retryAfterMs?: number }).retryAfterMs ?? this.options.rateLimitPauseMs ?? 1_000;
    await this.options.quota.pause(this.bucket, this.clock.now() + waitMs).catch(ignore);
  }
}

function ignore(): void {
  // The quota store failed after the call: see QuotaCall.settle.
}
