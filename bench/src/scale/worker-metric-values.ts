import type { HistogramSnapshot } from './scale-protocol';

/** What prom-client's `metric.get()` resolves to, structurally (no prom-client import here). */
interface MetricValues {
  values: Array<{ value: number; labels: Record<string, string | number | undefined>; metricName?: string }>;
}
interface Readable {
  get(): Promise<MetricValues> | MetricValues;
}

/** A counter's total over all its labels. */
export async function counterTotal(metric: Readable): Promise<number> {
  return (await metric.get()).values.reduce((sum, v) => sum + v.value, 0);
}

/** A counter's values by one label. */
export async function counterByLabel(metric: Readable, label: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await metric.get()).values) {
    const key = String(v.labels[label] ?? '');
    out[key] = (out[key] ?? 0) + v.value;
  }
  return out;
}

/** A histogram labelled by `kind`: cumulative bucket counts, sum and count per kind. */
export async function histogramsByKind(metric: Readable): Promise<Record<string, HistogramSnapshot>> {
  const out: Record<string, HistogramSnapshot> = {};
  for (const v of (await metric.get()).values) {
    const kind = String(v.labels.kind ?? '');
    const h = (out[kind] ??= { buckets: [], count: 0, sum: 0 });
    if (v.metricName?.endsWith('_bucket')) {
      const le = v.labels.le === '+Inf' ? Infinity : Number(v.labels.le);
      h.buckets.push({ le, count: v.value });
    } else if (v.metricName?.endsWith('_sum')) h.sum = v.value;
    else if (v.metricName?.endsWith('_count')) h.count = v.value;
  }
  return out;
}

/** The upper bound of the bucket holding quantile `q` of a histogram (seconds), or undefined when empty. */
export function histogramQuantile(h: HistogramSnapshot | undefined, q: number): number | undefined {
  if (!h || h.count === 0) return undefined;
  const rank = q * h.count;
  // +Inf went through JSON as null.
  const sorted = h.buckets
    .map((b) => ({ le: Number.isFinite(b.le) ? b.le : Infinity, count: b.count }))
    .sort((a, b) => a.le - b.le);
  return sorted.find((b) => b.count >= rank)?.le;
}

/** Histograms of several workers summed bucket by bucket. */
export function mergeHistograms(hs: Array<HistogramSnapshot | undefined>): HistogramSnapshot {
  const merged: HistogramSnapshot = { buckets: [], count: 0, sum: 0 };
  for (const h of hs) {
    if (!h) continue;
    merged.count += h.count;
    merged.sum += h.sum;
    for (const b of h.buckets) {
      const into = merged.buckets.find(
        (x) => x.le === b.le || (!Number.isFinite(x.le) && !Number.isFinite(b.le)),
      );
      if (into) into.count += b.count;
      else merged.buckets.push({ ...b });
    }
  }
  return merged;
}
