import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBenchDatabase } from '../store/bench-database';

export type ScaleStoreKind = 'postgres' | 'sqlite';

/** A fresh store for one configuration: its URL, and how to remove it afterwards. */
export interface ScaleTarget {
  kind: ScaleStoreKind;
  url: string;
  drop(): Promise<void>;
}

/** A new PostgreSQL database on the local server, or a new SQLite file (WAL, synchronous FULL). */
export async function createScaleTarget(kind: ScaleStoreKind): Promise<ScaleTarget> {
  if (kind === 'postgres') {
    const db = await createBenchDatabase();
    return { kind, url: db.url, drop: db.drop };
  }
  const dir = mkdtempSync(join(tmpdir(), 'kestrion-scale-'));
  return {
    kind,
    url: `sqlite://${join(dir, 'scale.db')}`,
    drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  };
}
