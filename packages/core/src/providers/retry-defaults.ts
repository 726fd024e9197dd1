import type { RetryPolicy } from './retry-policy';

// The defaults a RetryPolicy falls back to. Backoff waits real time and jitter needs
// randomness; neither touches the fold or the engine's decisions, and tests inject both.

/** Waits `ms` on a timer; resolves early (never rejects) when `signal` aborts. */
export const timerSleep: RetryPolicy['sleep'] = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

// eslint-disable-next-line no-restricted-syntax
export const systemRandom: RetryPolicy['random'] = () => Math.random();
