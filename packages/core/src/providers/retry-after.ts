/** Response headers, typed structurally (the Fetch API's `Headers` fits). */
export interface HeaderLookup {
  get(name: string): string | null;
}

/**
 * The wait a response asks for, in milliseconds: `retry-after-ms` (sent by Anthropic and
 * OpenAI), else `Retry-After` as seconds or as an HTTP date (relative to `nowMs`). Undefined
 * when absent or unreadable; never negative.
 */
export function parseRetryAfterMs(headers: HeaderLookup | undefined, nowMs: number): number | undefined {
  const msValue = headers?.get('retry-after-ms')?.trim();
  const ms = msValue === undefined || msValue === '' ? Number.NaN : Number(msValue);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get('retry-after')?.trim();
  if (value === undefined || value === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
