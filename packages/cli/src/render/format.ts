import type { RunTotals } from '@kestrion/core';

/** JSON on one line, cut to `max` characters with an ellipsis (`max` 0: never cut). */
export function brief(value: unknown, max = 100): string {
  const text =
    value === undefined ? '' : typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value);
  if (max <= 0 || text.length <= max) return text;
  return `${text.slice(0, Math.max(1, max - 1))}…`;
}

/** 1234 ms as "1.23 s", 45 ms as "45 ms", 3 723 000 as "1 h 2 min". */
export function duration(ms: number | undefined): string {
  if (ms === undefined) return '…';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const min = Math.floor(ms / 60_000);
  if (min < 60) return `${min} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}

/** US dollars with enough digits for a cheap model call. */
export function usd(value: number | null): string {
  if (value === null) return 'price unknown';
  if (value === 0) return '$0';
  return value < 0.01 ? `$${value.toFixed(6).replace(/0+$/, '')}` : `$${value.toFixed(4)}`;
}

export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** "2 model calls, 1 tool call, 1,234 tokens in / 56 out, $0.002 (1 call unpriced)". */
export function totalsLine(t: RunTotals): string {
  const parts = [
    count(t.llmCalls, 'model call'),
    count(t.toolCalls, 'tool call'),
    `${t.inputTokens.toLocaleString('en-US')} tokens in / ${t.outputTokens.toLocaleString('en-US')} out`,
    usd(t.usd),
  ];
  if (t.unpricedCalls > 0) parts.push(`(${count(t.unpricedCalls, 'call')} unpriced)`);
  return parts.join(', ');
}

/** The time of day of an ISO timestamp, to the millisecond (UTC, as the log records it). */
export function clock(iso: string): string {
  return iso.length >= 23 ? iso.slice(11, 23) : iso;
}
