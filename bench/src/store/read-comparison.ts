import type { Store } from '@kestrion/core';
import { alternate, progress, type Sample, timed } from './bench-stats';
import type { Comparison } from './comparison';
import type { BenchSizes } from './bench-sizes';

/** A raw baseline reader: one query, then JSON.parse of each payload. */
export interface RawReader {
  read(runId: string): unknown[] | Promise<unknown[]>;
  close(): void | Promise<void>;
}

/** Reads the middle run of the read table through the Store and raw, alternating. */
export async function readComparison(
  label: string,
  store: Store,
  reader: RawReader,
  n: BenchSizes,
): Promise<Comparison> {
  const runId = `read-${Math.floor(n.readRuns / 2)}`;
  const c: { raw: Sample[]; kestrion: Sample[] } = { raw: [], kestrion: [] };
  const readKestrion = async () => {
    let count = 0;
    for await (const e of store.readEvents(runId)) if (e.seq > 0) count++;
    if (count !== n.eventsPerReadRun) throw new Error(`read ${count} events, expected ${n.eventsPerReadRun}`);
  };
  const readRaw = async () => {
    const rows = await reader.read(runId);
    if (rows.length !== n.eventsPerReadRun) throw new Error(`raw read ${rows.length} rows`);
  };
  try {
    await readRaw();
    await readKestrion();
    for (let rep = 0; rep < n.reps + 2; rep++)
      await alternate(
        rep,
        async () => void c.raw.push(await timed(1, readRaw)),
        async () => void c.kestrion.push(await timed(1, readKestrion)),
      );
    progress(`${label} reads done`);
  } finally {
    await reader.close();
  }
  return {
    measurement: `${label}: read one run's ${n.eventsPerReadRun.toLocaleString('en-US')} events among ${(n.readRuns * n.eventsPerReadRun).toLocaleString('en-US')} rows`,
    measure: 'duration',
    ...c,
    rawLabel: 'one SELECT … ORDER BY seq + JSON.parse per row',
    bar: { max: 1.5 },
  };
}
