import type { ScaleResults } from './scale-bench';
import { duration, int } from './scale-stats';
import type { TrialResult } from './scale-trial';
import { trialFigures } from './trial-figures';

const ms = (x: number | undefined): string =>
  x !== undefined && Number.isFinite(x) ? `${Math.round(x)} ms` : '—';

function timing(t: TrialResult | undefined, op: string) {
  return t ? trialFigures(t).timings.find((x) => x.op === op) : undefined;
}

/** Claims in flight per worker on average: `claimNext` time ÷ (completion time × workers). */
function claimsInFlight(t: TrialResult): number {
  const claim = timing(t, 'store.claimNext');
  return (claim?.totalMs ?? NaN) / (t.elapsedMs * t.options.workers);
}

function named(list: TrialResult[], name: string): TrialResult | undefined {
  return list.find((t) => t.options.name === name);
}

/** What the figures say about where scaling stops, each with the numbers it rests on. */
export function scaleFindings(r: ScaleResults): string[] {
  const out: string[] = [];
  const a = r.active;
  if (a && Number.isFinite(a.allActiveAfterMs)) {
    const claim = a.worker.timings.find((t) => t.op === 'store.claimNext');
    out.push(
      `**Claims.** The active test claimed ${int(a.options.runs)} runs in ${duration(a.allActiveAfterMs)} (${(a.options.runs / (a.allActiveAfterMs / 1000)).toFixed(0)}/s) with \`claimNext\` p50 ${ms(claim?.p50Ms)}, p99 ${ms(claim?.p99Ms)} (each claim is a committed UPDATE); \`Worker.loop\` kept ${((claim?.totalMs ?? NaN) / a.allActiveAfterMs).toFixed(1)} claims in flight on average (\`claimNext\` time ÷ claim phase), since it takes several at once while they keep finding runs. In the configurations every run is claimed at least twice (submitted, approved), plus once per throttle.`,
    );
  }
  const pg1 = named(r.scaling, 'PostgreSQL, 1 worker');
  const pg4 = named(r.scaling, 'PostgreSQL, 4 workers');
  const free1 = named(r.scaling, 'PostgreSQL, no quota, 1 worker');
  const free4 = named(r.scaling, 'PostgreSQL, no quota, 4 workers');
  if (pg1 && pg4) {
    const r1 = timing(pg1, 'quota.reserve');
    const r4 = timing(pg4, 'quota.reserve');
    const cost =
      free1 && free4
        ? ` What the quota store costs a run here: 1 worker ${duration(pg1.elapsedMs)} with it against ${duration(free1.elapsedMs)} without; 4 workers ${duration(pg4.elapsedMs)} against ${duration(free4.elapsedMs)}.`
        : '';
    out.push(
      `**On PostgreSQL every model call takes one row lock.** \`PostgresQuotaStore.reserve\` is one call of \`kestrion_quota_reserve\` (migration 0008), whose transaction holds the bucket's row lock until it commits (fsync included), so the reservations of a bucket — granted or refused — go one at a time across all workers. \`quota.reserve\` p50 / p99 with a quota that never refuses: ${ms(r1?.p50Ms)} / ${ms(r1?.p99Ms)} with 1 worker, ${ms(r4?.p50Ms)} / ${ms(r4?.p99Ms)} with 4${(r4?.p50Ms ?? 0) > (r1?.p50Ms ?? 0) ? ' — more reservers, longer queue' : ''}. The bucket grants at most one reservation per lock hold, whatever the number of workers: that, not the workers, is the ceiling of a shared quota on PostgreSQL, and it falls as the machine gets busier.${cost}`,
    );
  }
  if (free1 && free4) {
    const t = (x: TrialResult, op: string) => timing(x, op)?.p50Ms;
    out.push(
      `**Two shared cores.** With no quota store in the way (PostgreSQL, no quota), 4 workers against 1: ${(free1.elapsedMs / free4.elapsedMs).toFixed(2)}×. During the 4-worker run the machine's CPU was ${Math.round(free4.machineBusy * 100)}% busy (every process: the workers, the approver, the server, PostgreSQL's backends and other engineers' tests; load average ${free4.loadAfter.toFixed(1)} at the end), against ${Math.round(free1.machineBusy * 100)}% with 1 worker. The one worker had ${claimsInFlight(free1).toFixed(1)} claims in flight on average, the four ${claimsInFlight(free4).toFixed(1)} each; per call \`store.append\` p50 went from ${ms(t(free1, 'store.append'))} to ${ms(t(free4, 'store.append'))} and \`claimNext\` p50 from ${ms(t(free1, 'store.claimNext'))} to ${ms(t(free4, 'store.claimNext'))}: more processes on two cores queue for the same CPUs and the same WAL flushes.${free1.elapsedMs / free4.elapsedMs < 3 ? ' The 3× bar needs cores (and a disk) the workers do not share; it cannot be shown on this machine.' : ''}`,
    );
  }
  const sq1 = named(r.scaling, 'SQLite, 1 worker');
  const pgRef = free1 ?? pg1;
  if (sq1 && pgRef) {
    const f = trialFigures(sq1);
    const g = trialFigures(pgRef);
    const http = (x: typeof f) => x.timings.find((t) => t.op === 'model.complete');
    out.push(
      `**SQLite runs on the worker's event loop.** better-sqlite3 is synchronous: every statement, commit and fsync runs on the main thread, so while a worker is inside SQLite nothing else in the process moves — HTTP answers included. SQLite, 1 worker (quota not binding): event-loop delay p99 ${ms(f.loopDelayP99Ms)} at ${Math.round(f.cpuShare * 100)}% of a core, and the OpenAI call took p50 ${ms(http(f)?.p50Ms)} / p99 ${ms(http(f)?.p99Ms)} in the worker for a server answering in ${sq1.options.latencyMs[0]}–${sq1.options.latencyMs[1]} ms; ${pgRef.options.name}: event-loop delay p99 ${ms(g.loopDelayP99Ms)}, the same call p50 ${ms(http(g)?.p50Ms)} / p99 ${ms(http(g)?.p99Ms)}. Completion: ${duration(sq1.elapsedMs)} (SQLite) against ${duration(pgRef.elapsedMs)} (${pgRef.options.name}). Several worker processes spread that waiting, but then queue for the file's one write lock.`,
    );
  }
  const busy = [...r.quota, ...r.scaling].filter(
    (t) => t.options.store === 'sqlite' && t.workers.some((w) => w.errors > 0),
  );
  if (busy.length > 0) {
    const example = busy.flatMap((t) => t.workers.flatMap((w) => w.firstErrors))[0] ?? '';
    out.push(
      `**SQLite with several processes: writes time out on the file lock.** ${busy
        .map(
          (t) =>
            `${t.options.name} (${t.options.limits?.requestsPerMinute === 10_000_000 ? 'quota not binding' : 'quota-bound'}): ${int(trialFigures(t).driveErrors)} drives threw`,
        )
        .join(
          '; ',
        )}, e.g. \`${example.replace(/^[^:]+: /, '').slice(0, 220)}\`. Such a drive leaves its lease to lapse, so its run waits out the 30 s lease TTL before another claim picks it up; nothing is lost (every run completed), but it shows in the completion time and the p99s.`,
    );
  }
  return out;
}
