import { join } from 'node:path';
import { openStore } from '@kestrion/store';
import { interleavedRows, rowsOf } from './bench-rows';
import type { BenchSizes } from './bench-sizes';
import { alternate, progress, type Sample, timed } from './bench-stats';
import type { Comparison } from './comparison';
import {
  appendConcurrently,
  appendOneByOne,
  benchEvents,
  concurrentEvents,
  fillRun,
} from './kestrion-appends';
import { readComparison } from './read-comparison';
import { RawSqliteReader, RawSqliteTable } from './sqlite-raw';

/** Single-event appends (and, at FULL, 100 concurrent runs) against raw better-sqlite3 inserts. */
export async function sqliteAppendComparisons(
  dir: string,
  sync: 'FULL' | 'NORMAL',
  n: BenchSizes,
): Promise<Comparison[]> {
  const raw = new RawSqliteTable(join(dir, `raw-${sync}.db`), sync);
  const store = await openStore(
    `sqlite://${join(dir, `k-${sync}.db`)}${sync === 'NORMAL' ? '?synchronous=NORMAL' : ''}`,
  );
  try {
    raw.singleRowTransactions(rowsOf('warm', 200));
    await appendOneByOne(store, 'warm', benchEvents('warm', 200));
    const single: { raw: Sample[]; kestrion: Sample[] } = { raw: [], kestrion: [] };
    for (let rep = 0; rep < n.reps; rep++) {
      const rows = rowsOf(`single-${rep}`, n.singleAppends);
      const events = benchEvents(`single-${rep}`, n.singleAppends);
      await alternate(
        rep,
        async () => void single.raw.push(await timed(rows.length, () => raw.singleRowTransactions(rows))),
        async () =>
          void single.kestrion.push(
            await timed(events.length, () => appendOneByOne(store, `single-${rep}`, events)),
          ),
      );
      progress(`SQLite ${sync} single appends, rep ${rep + 1}/${n.reps}`);
    }
    const out: Comparison[] = [
      {
        measurement: `SQLite ${sync}: single-event append, one run, sequential`,
        measure: 'cost',
        ...single,
        rawLabel: 'BEGIN; INSERT; COMMIT per row',
        ...(sync === 'FULL' ? { bar: { max: 1.3 } } : {}),
      },
    ];
    if (sync === 'FULL') out.push(await concurrentComparison(raw, store, n));
    return out;
  } finally {
    raw.close();
    await store.close();
  }
}

async function concurrentComparison(
  raw: RawSqliteTable,
  store: Awaited<ReturnType<typeof openStore>>,
  n: BenchSizes,
): Promise<Comparison> {
  const c: { raw: Sample[]; kestrion: Sample[] } = { raw: [], kestrion: [] };
  const total = n.concurrentRuns * n.eventsPerConcurrentRun;
  for (let rep = 0; rep < n.reps; rep++) {
    const rows = interleavedRows(n.concurrentRuns, n.eventsPerConcurrentRun, `rawc-${rep}`);
    const runs = concurrentEvents(n.concurrentRuns, n.eventsPerConcurrentRun, `kc-${rep}`);
    await alternate(
      rep,
      async () => void c.raw.push(await timed(total, () => raw.batchedTransactions(rows, 100))),
      async () => void c.kestrion.push(await timed(total, () => appendConcurrently(store, runs))),
    );
    progress(`SQLite FULL ${n.concurrentRuns} concurrent runs, rep ${rep + 1}/${n.reps}`);
  }
  return {
    measurement: `SQLite FULL: ${n.concurrentRuns} concurrent runs, single-event appends (group commit)`,
    measure: 'throughput',
    ...c,
    rawLabel: '100-row transactions',
    bar: { min: 0.6 },
  };
}

/** Reading one run's events among `readRuns × eventsPerReadRun` rows. */
export async function sqliteReadComparison(dir: string, n: BenchSizes): Promise<Comparison> {
  const file = join(dir, 'read.db');
  const store = await openStore(`sqlite://${file}?synchronous=NORMAL`);
  try {
    for (let r = 0; r < n.readRuns; r++) await fillRun(store, `read-${r}`, n.eventsPerReadRun, 5000);
    progress(`SQLite read table filled: ${n.readRuns * n.eventsPerReadRun} rows`);
    return await readComparison('SQLite', store, new RawSqliteReader(file), n);
  } finally {
    await store.close();
  }
}
