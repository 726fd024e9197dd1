import { median, medianMs, medianRate, type Sample } from './bench-stats';

/**
 * One row of the report: Kestrion against a raw baseline measured in the same run.
 * - `cost`: time per operation, ratio = Kestrion / raw (lower is better);
 * - `throughput`: operations per second, ratio = Kestrion / raw (higher is better);
 * - `duration`: time of the whole operation, ratio = Kestrion / raw (lower is better).
 */
export interface Comparison {
  measurement: string;
  measure: 'cost' | 'throughput' | 'duration';
  kestrion: Sample[];
  raw: Sample[];
  /** What the raw baseline did. */
  rawLabel: string;
  /** Ratio bound: at most `max` (cost, duration) or at least `min` (throughput). */
  bar?: { max: number } | { min: number };
}

/** Kestrion ÷ raw for one repetition (the two ran back to back, under the same load). */
function pairRatio(c: Comparison, k: Sample, raw: Sample): number {
  if (c.measure === 'duration') return k.ms / raw.ms;
  if (c.measure === 'cost') return k.ms / k.ops / (raw.ms / raw.ops);
  return k.ops / k.ms / (raw.ops / raw.ms);
}

/** Per-repetition ratios: each pairs measurements taken back to back, so load drift cancels. */
export function pairRatios(c: Comparison): number[] {
  return c.kestrion.map((k, i) => pairRatio(c, k, c.raw[i] as Sample));
}

/** The median of the per-repetition ratios. */
export function ratioOf(c: Comparison): number {
  return median(pairRatios(c));
}

export function verdictOf(c: Comparison): 'pass' | 'FAIL' | '—' {
  if (!c.bar) return '—';
  const r = ratioOf(c);
  return ('max' in c.bar ? r <= c.bar.max : r >= c.bar.min) ? 'pass' : 'FAIL';
}

const int = (v: number) => Math.round(v).toLocaleString('en-US');

/** The median figure of one side, with its unit. */
export function figureOf(c: Comparison, samples: Sample[]): string {
  if (c.measure === 'duration') return `${medianMs(samples).toFixed(1)} ms`;
  const rate = medianRate(samples);
  if (c.measure === 'cost') return `${(1000 / rate).toFixed(3)} ms (${int(rate)}/s)`;
  return `${int(rate)} rows/s`;
}

export function barOf(c: Comparison): string {
  if (!c.bar) return '— (no bar)';
  return 'max' in c.bar ? `≤ ${c.bar.max}×` : `≥ ${Math.round(c.bar.min * 100)}%`;
}

export function ratioText(c: Comparison): string {
  const show = (r: number) => (c.measure === 'throughput' ? `${Math.round(r * 100)}%` : `${r.toFixed(2)}×`);
  const all = pairRatios(c);
  return `${show(ratioOf(c))} (${show(Math.min(...all))}–${show(Math.max(...all))})`;
}
