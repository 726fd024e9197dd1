import type { StoredEvent, Store } from '@kestrion/core';
import { quantile, sum } from './scale-stats';

/** One kind of event-to-event gap in the runs' logs: `a → b`, consecutive events of one run. */
export interface GapStats {
  kind: string;
  /** `work`: the engine, the store or the model; `human`/`quota`: a run parked, waiting. */
  class: 'work' | 'human' | 'quota';
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  totalMs: number;
}

/** What the runs' logs say, read back through the store after a configuration. */
export interface RunsAnalysis {
  runs: number;
  completed: number;
  /** Status of the runs that did not complete, counted. */
  notCompleted: Record<string, number>;
  /** The first `run.started` and the last `run.completed` (`at`, epoch ms). */
  firstStartMs: number;
  lastCompletedMs: number;
  events: number;
  /** `approval.granted` `at` to the next event of the run (the resumed driver's first). */
  approvalToResumedMs: number[];
  throttles: number;
  /** Per `run.throttled`: its `untilMs` (the quota has room) to the run's next event `at` (claimed, driven again). */
  dueToResumedMs: number[];
  /** Runs throttled at least once, and the most throttles of one run. */
  throttledRuns: number;
  maxThrottlesPerRun: number;
  gaps: GapStats[];
}

const classOf = (from: string): GapStats['class'] =>
  from === 'run.waiting' ? 'human' : from === 'run.throttled' ? 'quota' : 'work';

async function readAll(store: Store, runId: string): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const e of store.readEvents(runId)) events.push(e);
  return events;
}

/** Reads every run's log (8 at a time) and derives the figures above. */
export async function analyseRuns(store: Store, runIds: readonly string[]): Promise<RunsAnalysis> {
  const gaps = new Map<string, number[]>();
  const out: RunsAnalysis = {
    runs: runIds.length,
    completed: 0,
    notCompleted: {},
    firstStartMs: Infinity,
    lastCompletedMs: 0,
    events: 0,
    approvalToResumedMs: [],
    throttles: 0,
    dueToResumedMs: [],
    throttledRuns: 0,
    maxThrottlesPerRun: 0,
    gaps: [],
  };
  const visit = (events: StoredEvent[]): void => {
    out.events += events.length;
    const at = events.map((e) => Date.parse(e.at));
    const last = events[events.length - 1];
    if (last?.type === 'run.completed') {
      out.completed += 1;
      out.lastCompletedMs = Math.max(out.lastCompletedMs, at[at.length - 1] as number);
    } else out.notCompleted[last?.type ?? 'empty'] = (out.notCompleted[last?.type ?? 'empty'] ?? 0) + 1;
    if (events[0]) out.firstStartMs = Math.min(out.firstStartMs, at[0] as number);
    const throttles = events.filter((e) => e.type === 'run.throttled').length;
    out.throttles += throttles;
    out.throttledRuns += throttles > 0 ? 1 : 0;
    out.maxThrottlesPerRun = Math.max(out.maxThrottlesPerRun, throttles);
    for (let i = 1; i < events.length; i++) {
      const from = (events[i - 1] as StoredEvent).type;
      const gap = (at[i] as number) - (at[i - 1] as number);
      if (from === 'approval.granted') out.approvalToResumedMs.push(gap);
      if (from === 'run.throttled')
        out.dueToResumedMs.push(
          (at[i] as number) - ((events[i - 1] as StoredEvent).data as { untilMs: number }).untilMs,
        );
      const kind = `${from} → ${(events[i] as StoredEvent).type}`;
      const list = gaps.get(kind) ?? [];
      list.push(gap);
      gaps.set(kind, list);
    }
  };
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < runIds.length) visit(await readAll(store, runIds[next++] as string));
  };
  await Promise.all(Array.from({ length: 8 }, lane));
  out.gaps = [...gaps].map(([kind, xs]) => ({
    kind,
    class: classOf(kind.split(' → ')[0] as string),
    count: xs.length,
    p50Ms: quantile(xs, 0.5),
    p99Ms: quantile(xs, 0.99),
    maxMs: xs.reduce((m, x) => Math.max(m, x), 0),
    totalMs: sum(xs),
  }));
  out.gaps.sort((a, b) => b.totalMs - a.totalMs);
  return out;
}
