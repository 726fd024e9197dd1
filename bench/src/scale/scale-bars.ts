import type { ActiveResult } from './scale-active';
import { int, mib, pct, quantile } from './scale-stats';
import type { TrialResult } from './scale-trial';
import type { WakeupResult } from './scale-wakeup';

/** One line of the bars table. */
export interface Bar {
  measurement: string;
  value: string;
  bar: string;
  /** undefined: the bar does not apply (the reason is in `value`). */
  pass: boolean | undefined;
}

export function quotaBars(results: TrialResult[]): Bar[] {
  return results.flatMap((r) => {
    const rpm = r.options.limits?.requestsPerMinute ?? Infinity;
    const tpm = r.options.limits?.tokensPerMinute ?? Infinity;
    const peak = r.server.peakWindow;
    return [
      {
        measurement: `${r.options.name}: quota never exceeded (most requests / tokens the server counted in any 60 s window)`,
        value: `${int(peak.requests)} / ${int(peak.tokens)}`,
        bar: `≤ ${int(rpm)} / ≤ ${int(tpm)}`,
        pass: peak.requests <= rpm && peak.tokens <= tpm,
      },
      {
        measurement: `${r.options.name}: achieved throughput, peak 60 s window ÷ quota (requests)`,
        value:
          r.server.requests <= rpm
            ? `${pct(peak.requests / rpm)} (only ${int(r.server.requests)} requests: one window holds them all, the quota cannot bind)`
            : pct(peak.requests / rpm),
        bar: '≥ 95%',
        pass: r.server.requests <= rpm ? undefined : peak.requests / rpm >= 0.95,
      },
    ];
  });
}

/** 4 workers against 1, per pair of configurations named `<store>, 1 worker` / `<store>, 4 workers`. */
export function scalingBars(results: TrialResult[]): Bar[] {
  const ones = results.filter((r) => r.options.workers === 1);
  return ones.flatMap((one) => {
    const four = results.find(
      (r) =>
        r.options.workers === 4 &&
        r.options.store === one.options.store &&
        !!r.options.limits === !!one.options.limits,
    );
    if (!four) return [];
    const speedup = one.elapsedMs / four.elapsedMs;
    return [
      {
        measurement: `${four.options.name.replace(/, 4 workers$/, '')}, quota not binding: 4 workers vs 1, completion-time speed-up`,
        value: `${speedup.toFixed(2)}× (${(one.elapsedMs / 1000).toFixed(1)} s → ${(four.elapsedMs / 1000).toFixed(1)} s)`,
        bar: '≥ 3×',
        pass: speedup >= 3,
      },
    ];
  });
}

export function activeBars(a: ActiveResult | undefined): Bar[] {
  if (!a) return [];
  const reached = Number.isFinite(a.allActiveAfterMs);
  return [
    {
      measurement: `${int(a.options.runs)} runs active at once in one worker: all driven at once, waiting on the model`,
      value: reached
        ? `yes, after ${(a.allActiveAfterMs / 1000).toFixed(1)} s (${int(a.inFlightAtServer)} requests in flight at the server)`
        : `no: at most ${int(a.worker.peakActive)} at once`,
      bar: `${int(a.options.runs)}`,
      pass: reached,
    },
    {
      measurement: `${int(a.options.runs)} runs active at once in one worker: peak RSS`,
      value: mib(a.worker.peakRssBytes),
      bar: '< 1 GiB',
      pass: reached ? a.worker.peakRssBytes < 2 ** 30 : undefined,
    },
  ];
}

export function wakeupBars(w: WakeupResult | undefined): Bar[] {
  if (!w) return [];
  const p50 = quantile(w.grantedToResumedMs, 0.5);
  const p99 = quantile(w.grantedToResumedMs, 0.99);
  const what = `approval → resumed, PostgreSQL, idle worker with LISTEN/NOTIFY (${w.grantedToResumedMs.length} approvals)`;
  return [
    { measurement: `${what}, p50`, value: `${p50} ms`, bar: '≤ 50 ms', pass: p50 <= 50 },
    { measurement: `${what}, p99`, value: `${p99} ms`, bar: '≤ 250 ms', pass: p99 <= 250 },
  ];
}

export function barsTable(bars: Bar[]): string {
  return [
    '| measurement | value | bar | verdict |',
    '|---|---|---|---|',
    ...bars.map(
      (b) =>
        `| ${b.measurement} | ${b.value} | ${b.bar} | ${b.pass === undefined ? 'n/a' : b.pass ? 'pass' : '**fail**'} |`,
    ),
  ].join('\n');
}
