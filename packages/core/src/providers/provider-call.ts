import type { CompleteOptions } from './provider';
import { ProviderCancelledError, ProviderError, ProviderTimeoutError } from './provider-errors';
import { retryDelayMs, type RetryPolicy } from './retry-policy';

/** What one attempt of a provider call gets: its own signal (timeout included) and delta sink. */
export interface AttemptContext {
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborts when the caller aborts or this attempt's time limit passes. Hand it to the SDK. */
  signal: AbortSignal;
  /** Set when the caller asked for streaming; forwards text deltas to the caller. */
  onTextDelta: ((delta: string) => void) | undefined;
}

export interface ProviderCallOptions extends CompleteOptions {
  /** The provider's name, for error messages. */
  provider: string;
  policy: RetryPolicy;
  /** Time limit of each attempt. */
  timeoutMs: number;
  /** Turns whatever an attempt threw (an SDK error, a fetch error) into a ProviderError. */
  translate: (error: unknown) => ProviderError;
}

/** Marks an error thrown by the caller's own `onTextDelta`: it ends the call unchanged. */
class CallbackFailure {
  constructor(readonly error: unknown) {}
}

/**
 * Runs `attempt` under the retry policy: each attempt gets a signal that aborts on the caller's
 * signal or its own time limit; failures are translated into the ProviderError tree (a timeout
 * into {@link ProviderTimeoutError}, the caller's abort into {@link ProviderCancelledError}) and
 * retried while the policy allows. The one retry loop every adapter shares.
 */
export async function runProviderCall<T>(
  options: ProviderCallOptions,
  attempt: (context: AttemptContext) => Promise<T>,
): Promise<T> {
  for (let n = 1; ; n += 1) {
    let error: unknown;
    try {
      return await runAttempt(options, n, attempt);
    } catch (thrown) {
      if (thrown instanceof CallbackFailure) throw thrown.error;
      error = thrown;
    }
    const delay = retryDelayMs(error, n, options.policy);
    if (delay === undefined) throw error;
    await options.onRetry?.({ attempt: n, error: error as ProviderError, delayMs: delay });
    await options.policy.sleep(delay, options.signal);
    if (options.signal?.aborted) throw abortError(options);
  }
}

async function runAttempt<T>(
  options: ProviderCallOptions,
  n: number,
  attempt: (context: AttemptContext) => Promise<T>,
): Promise<T> {
  const { signal: callerSignal, onTextDelta, timeoutMs } = options;
  if (callerSignal?.aborted) throw abortError(options);
  const controller = new AbortController();
  let timedOut = false;
  let callbackFailure: CallbackFailure | undefined;
  const onCallerAbort = (): void => controller.abort(callerSignal?.reason);
  callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const forward =
    onTextDelta === undefined
      ? undefined
      : (delta: string): void => {
          try {
            onTextDelta(delta, { attempt: n });
          } catch (error) {
            callbackFailure = new CallbackFailure(error);
            controller.abort();
            throw callbackFailure;
          }
        };
  try {
    return await attempt({ attempt: n, signal: controller.signal, onTextDelta: forward });
  } catch (error) {
    if (callbackFailure !== undefined) throw callbackFailure;
    if (callerSignal?.aborted) throw abortError(options, error);
    if (timedOut) throw new ProviderTimeoutError(options.provider, timeoutMs, { cause: error });
    throw error instanceof ProviderError ? error : options.translate(error);
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', onCallerAbort);
  }
}

/** The caller's signal fired: a timeout signal (`AbortSignal.timeout`) is a timeout, else a cancel. */
function abortError(options: ProviderCallOptions, cause?: unknown): ProviderError {
  const reason: unknown = options.signal?.reason;
  // Duck-typed: the DOMException may come from another realm.
  const isTimeout = (reason as { name?: unknown } | undefined)?.name === 'TimeoutError';
  return isTimeout
    ? new ProviderTimeoutError(options.provider, undefined, { cause: cause ?? reason })
    : new ProviderCancelledError(options.provider, { cause: cause ?? reason });
}
