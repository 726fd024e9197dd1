import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@kestrion/store';
import { createTestDatabase } from '../postgres/test-database';
import type { CrashTarget } from './crash-harness';

/** Both real stores: a SQLite file and a fresh database on the PostgreSQL test server. */
export const CRASH_STORES = ['sqlite', 'postgres'] as const;
export type CrashStoreKind = (typeof CRASH_STORES)[number];

export interface DisposableCrashTarget extends CrashTarget {
  /** Closes the parent's store, drops the test database, removes the temp dir. */
  dispose(): Promise<void>;
}

/**
 * A store every child process can open by URL (a SQLite file, or a fresh database on the
 * PostgreSQL test server), the parent's own handle on it, and a temp dir for effect ledgers.
 */
export async function openCrashTarget(
  kind: CrashStoreKind,
  label: string,
  leaseTtlMs = 400,
): Promise<DisposableCrashTarget> {
  const dir = mkdtempSync(join(tmpdir(), `kestrion-${label}-`));
  const db = kind === 'postgres' ? await createTestDatabase(`kestrion_${label}`) : undefined;
  const storeUrl = db?.url ?? `sqlite://${join(dir, 'store.db')}`;
  const store = await openStore(storeUrl);
  return {
    store,
    storeUrl,
    dir,
    leaseTtlMs,
    async dispose() {
      await store.close();
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
