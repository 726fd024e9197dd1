/**
 * `npm run torture`: the reliability suite (docs/reliability.md #1, 2, 4-7, 9, and the worker
 * queue under kills) at full counts on SQLite (file) and PostgreSQL, with real child processes
 * and real signals. The per-test CI versions live in packages/core/test/reliability (the worker
 * queue: packages/scheduler/test/worker-kills). Writes bench/results/torture.md.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type CrashTarget,
  acceptedRunTrial,
  ambiguousTrial,
  appliedCounts,
  CRASH_STORES,
  durableAppendTrial,
  eventLabels,
  openCrashTarget,
  racingResumers,
  runCrashMatrix,
  sweepRace,
  zombieTrial,
} from '@kestrion/testing';
import { queueTrialProblems, queueTrialSummary, queueUnderKills } from './worker-crash/queue-trial';

interface Row {
  test: string;
  store: string;
  trials: number;
  failures: number;
  durationMs: number;
  firstFailure?: string;
}

const ONCE_EACH = { read_state: 1, notify: 1, apply: 1, audit: 1 };
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const log = (line: string) => process.stderr.write(`torture: ${line}\n`);

/** Runs `trials` trials, each returning its problems (empty: passed). */
async function measure(
  rows: Row[],
  test: string,
  store: string,
  trials: number,
  trial: (i: number) => Promise<string[]>,
): Promise<void> {
  const t0 = Date.now();
  const row: Row = { test, store, trials, failures: 0, durationMs: 0 };
  for (let i = 0; i < trials; i++) {
    const problems = await trial(i).catch((e: unknown) => [`threw: ${String(e)}`]);
    if (problems.length > 0) {
      row.failures += 1;
      row.firstFailure ??= problems.join('; ').slice(0, 300);
    }
  }
  row.durationMs = Date.now() - t0;
  rows.push(row);
  log(`${test} on ${store}: ${row.failures}/${trials} failed in ${(row.durationMs / 1000).toFixed(1)} s`);
}

async function tortureStore(rows: Row[], store: string, target: CrashTarget): Promise<void> {
  const points = [
    ...Array.from({ length: 26 }, (_, i) => ({ killAfterEvent: i + 1 })),
    ...['read_state', 'notify', 'apply', 'audit'].map((killInsideTool) => ({ killInsideTool })),
  ];
  const t0 = Date.now();
  const matrix = await runCrashMatrix(target, {
    points,
    onTrial: (t) =>
      log(`kill ${JSON.stringify(t.point)}: ${t.problems.length ? t.problems.join('; ') : 'ok'}`),
  });
  const bad = matrix.trials.filter((t) => t.problems.length > 0 || !t.outcome.killed);
  rows.push({
    test: `1. SIGKILL after every event (k=1..${matrix.baseline.log.length}) and inside each tool`,
    store,
    trials: matrix.trials.length,
    failures: bad.length,
    durationMs: Date.now() - t0,
    ...(bad[0] ? { firstFailure: `${JSON.stringify(bad[0].point)}: ${bad[0].problems.join('; ')}` } : {}),
  });

  await measure(rows, '2. ambiguous window: kill inside a non-idempotent tool', store, 100, async (i) => {
    const t = await ambiguousTrial(target, i % 2 === 0 ? 'notify' : 'apply');
    const problems: string[] = [];
    if (!t.killed) problems.push('not killed');
    if (t.parked?.waitingReason !== 'outcome_unknown') problems.push(`parked ${JSON.stringify(t.parked)}`);
    if (t.invocationsAtPark !== 1 || t.invocationsAtEnd !== 1)
      problems.push(`invocations ${t.invocationsAtPark}/${t.invocationsAtEnd}`);
    if (t.state.status !== 'completed') problems.push(`ended ${t.state.status}`);
    return problems;
  });

  await measure(rows, '4. SIGKILL right after start() resolved; recover()', store, 10, async () => {
    const t = await acceptedRunTrial(target);
    const ok = t.killed && t.record?.headSeq === 1 && t.state.status === 'completed';
    return ok && same(appliedCounts(t.effects), ONCE_EACH) ? [] : [`run ${t.runId} ended ${t.state.status}`];
  });

  await measure(rows, '5. resolved appends survive SIGKILL (5 kills per trial)', store, 4, async () => {
    const t = await durableAppendTrial(target, 5);
    const stored = new Set(t.stored);
    const lost = t.printed.filter((s) => !stored.has(s));
    const gap = t.stored.some((s, i) => s !== i + 1);
    return lost.length || gap ? [`lost ${lost.join(',')}${gap ? '; gap' : ''}`] : [];
  });

  for (const n of [2, 4, 8])
    await measure(rows, `6. ${n} processes resume one run at once`, store, 5, async () => {
      const t = await racingResumers(target, n);
      const winners = t.reports.filter((r) => r.results[0]?.status !== undefined);
      const losers = new Set(t.reports.filter((r) => r.results[0]?.busy).map((r) => r.pid));
      const problems: string[] = [];
      if (winners.length !== 1 || losers.size !== n - 1) problems.push(`${winners.length} proceeded`);
      if (t.effects.some((e) => losers.has(e.pid))) problems.push('a busy process made a call');
      if (!same(appliedCounts(t.effects), ONCE_EACH)) problems.push(JSON.stringify(appliedCounts(t.effects)));
      return problems;
    });

  const pauses = [{ insideTool: 'read_state' }, { stopAfterEvent: 8 }, { stopAfterEvent: 13 }];
  await measure(rows, '7. zombie: SIGSTOP past the lease, takeover, SIGCONT', store, 9, async (i) => {
    const t = await zombieTrial(target, pauses[i % pauses.length]!);
    const problems: string[] = [];
    if (
      !same(
        t.logAtEnd.map((e) => e.id),
        t.logAtTakeover.map((e) => e.id),
      )
    )
      problems.push('zombie appended');
    if (t.zombieEffectsAfterPause.length > 0)
      problems.push(`zombie made ${t.zombieEffectsAfterPause.length} calls`);
    if (t.state.status !== 'completed' || !same(appliedCounts(t.effects), ONCE_EACH))
      problems.push(
        `${t.state.status} ${JSON.stringify(appliedCounts(t.effects))} ${eventLabels(t.logAtEnd).length}`,
      );
    return problems;
  });

  await measure(
    rows,
    'worker queue: 3,000 runs, 4 workers (8 each) SIGKILLed every 250-750 ms',
    store,
    1,
    async () => {
      const r = await queueUnderKills(target, {
        runs: 3_000,
        workers: 4,
        concurrency: 8,
        leaseTtlMs: 1_500,
        idlePoll: { minMs: 10, maxMs: 100 },
        submitPerSecond: 40,
        killEveryMs: [250, 750],
      });
      log(`queue under kills on ${store}: ${queueTrialSummary(r)}`);
      return queueTrialProblems(r, 50);
    },
  );

  await measure(rows, '9. two recover() sweeps race the live owner (6 runs)', store, 5, async () => {
    const t = await sweepRace(target, 6);
    const problems: string[] = [];
    for (const [i, s] of t.states.entries()) {
      const mine = t.effects.filter((e) => e.runId === t.runIds[i]);
      if (s.status !== 'completed' || !same(appliedCounts(mine), ONCE_EACH) || mine.length !== 6)
        problems.push(`${s.runId}: ${s.status}, ${mine.length} calls`);
    }
    return problems;
  });
}

function table(rows: Row[], startedAt: string): string {
  const lines = [
    '# Torture: crash and concurrency (docs/reliability.md #1, 2, 4-7, 9, and the worker queue)',
    '',
    `Run ${startedAt} on ${process.platform}/${process.arch}, Node ${process.version}; real child processes,`,
    'real SIGKILL/SIGSTOP/SIGCONT, lease TTL 400 ms (1,500 ms for the worker queue). Produced by',
    '`npm run torture` (bench/src/torture.ts).',
    '',
    '| test | store | trials | failures | duration |',
    '|---|---|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.test} | ${r.store} | ${r.trials} | ${r.failures} | ${(r.durationMs / 1000).toFixed(1)} s |`,
    ),
  ];
  const failed = rows.filter((r) => r.firstFailure);
  if (failed.length > 0)
    lines.push(
      '',
      '## First failure of each failing row',
      '',
      ...failed.map((r) => `- ${r.test} (${r.store}): ${r.firstFailure}`),
    );
  return lines.join('\n') + '\n';
}

export async function runTorture(): Promise<string> {
  const startedAt = new Date().toISOString();
  const rows: Row[] = [];
  for (const kind of CRASH_STORES) {
    const target = await openCrashTarget(kind, 'torture');
    try {
      await tortureStore(rows, kind, target);
    } finally {
      await target.dispose();
    }
  }
  const report = table(rows, startedAt);
  writeFileSync(resolve(__dirname, '..', 'results', 'torture.md'), report);
  return report;
}

if (require.main === module)
  void runTorture().then(console.log, (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
