import * as os from 'node:os';
import type { BenchSizes } from './bench-sizes';
import { barOf, type Comparison, figureOf, ratioText, verdictOf } from './comparison';

/** The markdown report: one table, then how it was measured. */
export function renderStoreReport(
  rows: Comparison[],
  n: BenchSizes,
  seconds: number,
  loadAtStart: number,
): string {
  const table = rows
    .map(
      (c) =>
        `| ${c.measurement} | ${figureOf(c, c.kestrion)} | ${figureOf(c, c.raw)} (${c.rawLabel}) | ${ratioText(c)} | ${barOf(c)} | ${verdictOf(c)} |`,
    )
    .join('\n');
  const failed = rows.filter((c) => verdictOf(c) === 'FAIL').length;
  return `# Store bench

${failed === 0 ? 'Every bar passes.' : `**${failed} bar(s) FAIL.**`} Medians of ${n.reps} repetitions (reads: ${n.reps + 2}), each
repetition running the raw baseline and Kestrion back to back (alternating which goes first) in the same process.

| measurement | Kestrion | raw baseline | ratio (range) | bar | verdict |
|---|---|---|---|---|---|
${table}

How it is measured:
- Rows: the same rows on both sides: \`state.patched\` events with a ~200-byte JSON payload, the same
  run ids, seqs, event ids and timestamps. Raw baselines insert into \`raw_events\`, a table of the
  same shape as \`kestrion_events\` (PK (run_id, seq), unique (run_id, event_id)), in a separate
  SQLite file with the same pragmas (WAL, synchronous FULL or NORMAL) or the same PostgreSQL
  database. Kestrion also writes the \`kestrion_runs\` projection row in the same transaction;
  the raw side does not (it is the floor).
- Single-event append: ${n.singleAppends.toLocaleString('en-US')} sequential \`store.append(runId, head, [event])\`
  on one run (\`openStore('sqlite://…/k.db')\`, \`?synchronous=NORMAL\`, or the PostgreSQL URL)
  against \`BEGIN; INSERT; COMMIT\` per row (better-sqlite3 prepared statements) or one autocommit
  \`INSERT\` per row from one pg connection. Ratio = Kestrion time per append ÷ raw time per row.
- Concurrent runs: ${n.concurrentRuns} async loops, each appending ${n.eventsPerConcurrentRun} single events to its own run,
  all at once (\`Promise.all\`); events/s over the whole batch. SQLite raw: the same number of rows
  in 100-row transactions (one row of each run per transaction). PostgreSQL raw: the same rows
  from 8 connections at once, autocommit single-row inserts. Ratio = Kestrion rows/s ÷ raw rows/s.
- Read: ${n.readRuns} runs × ${n.eventsPerReadRun.toLocaleString('en-US')} events written through \`store.append\` (5,000-event
  appends, run by run, so the table is laid out by (run_id, seq)); one run in the middle read with
  \`for await (const e of store.readEvents(runId))\` against one \`SELECT … WHERE run_id = ? ORDER BY
  seq\` over the same table + \`JSON.parse\` of each \`data\` column (better-sqlite3 \`.all()\`, pg
  \`client.query\`). PostgreSQL: \`VACUUM ANALYZE\` after filling.
- Ratio: the median of the per-repetition ratios (each repetition's Kestrion and raw runs are
  back to back, so a load change on the machine hits both), with the range over repetitions.
  The Kestrion and raw columns are the medians of each side alone.
- PostgreSQL: a fresh database on the local server, dropped afterwards.

Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, ${os.platform()}; bench took ${Math.round(seconds)} s;
1-minute load average ${loadAtStart.toFixed(1)} at the start, ${(os.loadavg()[0] ?? 0).toFixed(1)} at the end (other work on the machine shows up as noise).
Absolute numbers move with the machine and its disk; the ratio is the claim.
`;
}
