import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@kestrion/store';
import { type CrashTarget, createTestDatabase } from '@kestrion/testing';

/** Both real stores: a SQLite file and a fresh database on the PostgreSQL test server. */
export const STORES = ['sqlite', 'postgres'] as const;
export type StoreKind = (typeof STORES)[number];

export interface ReliabilityTarget extends CrashTarget {
  dispose(): Promise<void>;
}

/** A store every child process can open by URL, plus a temp dir for effect ledgers. */
export async function openTarget(kind: StoreKind, label: string): Promise<ReliabilityTarget> {
  const dir = mkdtempSync(join(tmpdir(), `kestrion-${label}-`));
  const db = kind === 'postgres' ? await createTestDatabase(`kestrion_${label}`) : undefined;
  const storeUrl = db?.url ?? `sqlite://${join(dir, 'store.db')}`;
  const store = await openStore(storeUrl);
  return {
    store,
    storeUrl,
    dir,
    leaseTtlMs: 400,
    async dispose() {
      await store.close();
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
