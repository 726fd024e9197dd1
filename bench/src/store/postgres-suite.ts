import { openStore } from '@kestrion/store';
import { type BenchRow, interleavedRows, rowsOf } from './bench-rows';
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
import {
  createRawPostgresTable,
  RawPostgresReader,
  rawPostgresInserts,
  vacuumAnalyzeEvents,
} from './postgres-raw';
import { readComparison } from './read-comparison';

const RAW_CONNECTIONS = 8;

function split(rows: BenchRow[], parts: number): BenchRow[][] {
  const size = Math.ceil(rows.length / parts);
  return Array.from({ length: parts }, (_, i) => rows.slice(i * size, (i + 1) * size));
}

/** Single-event appends and 100 concurrent runs through the pool, against raw pg inserts. */
export async function postgresAppendComparisons(url: string, n: BenchSizes): Promise<Comparison[]> {
  await createRawPostgresTable(url);
  const store = await openStore(url);
  try {
    await rawPostgresInserts(url, 1, [rowsOf('warm', 200)]);
    await appendOneByOne(store, 'warm', benchEvents('warm', 200));
    const single: { raw: Sample[]; kestrion: Sample[] } = { raw: [], kestrion: [] };
    const many: { raw: Sample[]; kestrion: Sample[] } = { raw: [], kestrion: [] };
    for (let rep = 0; rep < n.reps; rep++) {
      const rows = rowsOf(`single-${rep}`, n.singleAppends);
      const events = benchEvents(`single-${rep}`, n.singleAppends);
      await alternate(
        rep,
        async () => void single.raw.push(await rawPostgresInserts(url, 1, [rows])),
        async () =>
          void single.kestrion.push(
            await timed(events.length, () => appendOneByOne(store, `single-${rep}`, events)),
          ),
      );
      const total = n.concurrentRuns * n.eventsPerConcurrentRun;
      const rawRows = split(
        interleavedRows(n.concurrentRuns, n.eventsPerConcurrentRun, `rawc-${rep}`),
        RAW_CONNECTIONS,
      );
      const runs = concurrentEvents(n.concurrentRuns, n.eventsPerConcurrentRun, `kc-${rep}`);
      await alternate(
        rep,
        async () => void many.raw.push(await rawPostgresInserts(url, RAW_CONNECTIONS, rawRows)),
        async () => void many.kestrion.push(await timed(total, () => appendConcurrently(store, runs))),
      );
      progress(`PostgreSQL appends, rep ${rep + 1}/${n.reps}`);
    }
    return [
      {
        measurement: 'PostgreSQL: single-event append, one run, sequential',
        measure: 'cost',
        ...single,
        rawLabel: 'autocommit INSERT per row, one connection',
        bar: { max: 1.5 },
      },
      {
        measurement: `PostgreSQL: ${n.concurrentRuns} concurrent runs, single-event appends (pool of 10)`,
        measure: 'throughput',
        ...many,
        rawLabel: `autocommit INSERT per row from ${RAW_CONNECTIONS} connections`,
        bar: { min: 0.7 },
      },
    ];
  } finally {
    await store.close();
  }
}

/** Reading one run's events among `readRuns × eventsPerReadRun` rows. */
export async function postgresReadComparison(url: string, n: BenchSizes): Promise<Comparison> {
  const store = await openStore(url);
  try {
    for (let r = 0; r < n.readRuns; r++) await fillRun(store, `read-${r}`, n.eventsPerReadRun, 5000);
    await vacuumAnalyzeEvents(url);
    progress(`PostgreSQL read table filled: ${n.readRuns * n.eventsPerReadRun} rows`);
    return await readComparison('PostgreSQL', store, await RawPostgresReader.open(url), n);
  } finally {
    await store.close();
  }
}
