import { duration, int, mib, pct, quantile } from './scale-stats';
import type { TrialResult } from './scale-trial';
import { type TrialFigures, trialFigures } from './trial-figures';

type Row = [string, (r: TrialResult, f: TrialFigures) => string];

const ms = (x: number): string => (Number.isFinite(x) ? `${Math.round(x).toLocaleString('en-US')} ms` : '—');

const COMMON: Row[] = [
  [
    'runs × workers × slots',
    (r) => `${int(r.options.runs)} × ${r.options.workers} × ${r.options.concurrency}`,
  ],
  ['runs completed', (r) => `${int(r.runs.completed)}${r.timedOut ? ' (timed out)' : ''}`],
  ['completion time (go → last run.completed)', (_, f) => duration(f.elapsedMs)],
  ['runs/s', (_, f) => f.runsPerSecond.toFixed(1)],
  ['model requests / tokens (server-counted)', (_, f) => `${int(f.requests)} / ${int(f.tokens)}`],
  ['peak 60 s window: requests / tokens (server)', (_, f) => `${int(f.peakRequests)} / ${int(f.peakTokens)}`],
  ['mean requests/min over the completion time', (_, f) => int(f.meanRpm)],
  [
    'claims (claims/s; per run)',
    (r, f) =>
      `${int(f.claims)} (${f.claimsPerSecond.toFixed(1)}/s; ${(f.claims / r.options.runs).toFixed(2)})`,
  ],
  [
    'approval → resumed, p50 / p99 (event `at`s)',
    (_, f) => `${ms(f.approvalP50Ms)} / ${ms(f.approvalP99Ms)}`,
  ],
  [
    'worker histogram claim latency `resumed` (approvals and throttles over), p50 / p99, bucket bound',
    (_, f) => `≤ ${ms(f.histogramP50Ms)} / ≤ ${ms(f.histogramP99Ms)}`,
  ],
  ['peak RSS of a worker (max over workers)', (_, f) => mib(f.peakRssBytes)],
  ['peak RSS of the approver', (r) => mib(r.approver.peakRssBytes)],
  [
    'worker CPU (mean share of one core); event-loop delay p99 (worst)',
    (_, f) => `${pct(f.cpuShare)}; ${ms(f.loopDelayP99Ms)}`,
  ],
  [
    'machine CPU busy (all processes, both cores); load average at the end',
    (r) => `${pct(r.machineBusy)}; ${r.loadAfter.toFixed(1)}`,
  ],
  ['drives that threw (lease left to lapse)', (_, f) => int(f.driveErrors)],
  ['events per run', (r) => (r.runs.events / r.runs.runs).toFixed(1)],
];

const QUOTA_ROWS: Row[] = [
  [
    'quota (requests/min / tokens/min)',
    (r) =>
      `${int(r.options.limits?.requestsPerMinute ?? NaN)} / ${int(r.options.limits?.tokensPerMinute ?? NaN)}`,
  ],
  ['minimum the quota allows at its steady rate', (_, f) => duration(f.minimumMs)],
  ['completion ÷ that minimum', (_, f) => `${(f.elapsedMs / f.minimumMs).toFixed(2)}×`],
  [
    'earliest the window rule allows with bursts ((⌈requests ÷ quota⌉ − 1) × 61 s); completion ÷ it',
    (_, f) =>
      f.burstMinimumMs > 0
        ? `${duration(f.burstMinimumMs)}; ${(f.elapsedMs / f.burstMinimumMs).toFixed(2)}×`
        : '— (one window holds every request)',
  ],
  [
    'peak window ÷ quota: requests / tokens',
    (r, f) =>
      `${pct(f.peakRequests / (r.options.limits?.requestsPerMinute ?? NaN))} / ${pct(f.peakTokens / (r.options.limits?.tokensPerMinute ?? NaN))}`,
  ],
  ['mean requests/min ÷ quota', (r, f) => pct(f.meanRpm / (r.options.limits?.requestsPerMinute ?? NaN))],
  [
    'throttles (`run.throttled`); runs throttled; most on one run',
    (r) => `${int(r.runs.throttles)}; ${int(r.runs.throttledRuns)}; ${r.runs.maxThrottlesPerRun}`,
  ],
  [
    'throttle over (`untilMs`) → resumed (next event `at`), p50 / p99',
    (r) => `${ms(quantile(r.runs.dueToResumedMs, 0.5))} / ${ms(quantile(r.runs.dueToResumedMs, 0.99))}`,
  ],
];

/** One column per configuration. */
export function trialTable(results: TrialResult[], quotaBound: boolean): string {
  const figures = results.map(trialFigures);
  const rows = quotaBound ? [...COMMON.slice(0, 3), ...QUOTA_ROWS, ...COMMON.slice(3)] : COMMON;
  return [
    `| measurement | ${results.map((r) => r.options.name).join(' | ')} |`,
    `|---|${results.map(() => '---').join('|')}|`,
    ...rows.map(
      ([label, cell]) =>
        `| ${label} | ${results.map((r, i) => cell(r, figures[i] as TrialFigures)).join(' | ')} |`,
    ),
  ].join('\n');
}

/**
 * Where the time goes in one configuration: the slowest kinds of event-to-event gap in the
 * logs (work only: waits for a person or a quota are apart), and the worker's slowest calls.
 */
export function stepsTable(r: TrialResult): string {
  const f = trialFigures(r);
  const gaps = r.runs.gaps
    .filter((g) => g.class === 'work' && !g.kind.startsWith('run.started →'))
    .slice(0, 6);
  const waits = r.runs.gaps.filter((g) => g.class !== 'work' || g.kind.startsWith('run.started →'));
  return [
    `| ${r.options.name}: event gap (consecutive events of a run) | count | p50 | p99 | max | total |`,
    '|---|---|---|---|---|---|',
    ...[...gaps, ...waits].map(
      (g) =>
        `| ${g.class === 'work' && !g.kind.startsWith('run.started') ? '' : `(${g.class === 'work' ? 'queued' : g.class} wait) `}\`${g.kind}\` | ${int(g.count)} | ${ms(g.p50Ms)} | ${ms(g.p99Ms)} | ${ms(g.maxMs)} | ${duration(g.totalMs)} |`,
    ),
    '',
    `| ${r.options.name}: call made by a worker | count | p50 | p99 | max | total |`,
    '|---|---|---|---|---|---|',
    ...f.timings
      .slice(0, 8)
      .map(
        (t) =>
          `| \`${t.op}\` | ${int(t.count)} | ${ms(t.p50Ms)} | ${ms(t.p99Ms)} | ${ms(t.maxMs)} | ${duration(t.totalMs)} |`,
      ),
  ].join('\n');
}

/** The slowest work step of a configuration, in one phrase. */
export function slowestStep(r: TrialResult): string {
  const f = trialFigures(r);
  // Kinds seen at least once per 100 runs: a one-off (a drive that threw and was taken over
  // after its lease lapsed) is in the steps table, not named as the slowest step.
  const gap = r.runs.gaps
    .filter((g) => g.class === 'work' && !g.kind.startsWith('run.started →') && g.count >= r.runs.runs / 100)
    .sort((a, b) => b.p99Ms - a.p99Ms)[0];
  const call = f.timings.filter((t) => !t.op.startsWith('model.'))[0];
  return [
    gap ? `slowest event gap by p99: \`${gap.kind}\` (p50 ${ms(gap.p50Ms)}, p99 ${ms(gap.p99Ms)})` : '',
    call
      ? `the store/quota call taking the most worker time: \`${call.op}\` (${int(call.count)} calls, p50 ${ms(call.p50Ms)}, p99 ${ms(call.p99Ms)}, ${duration(call.totalMs)} in all)`
      : '',
  ]
    .filter((s) => s !== '')
    .join('; ');
}
