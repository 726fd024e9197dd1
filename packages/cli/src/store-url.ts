import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigurationError, type Store } from '@kestrion/core';
import { DEFAULT_STORE_URL, openStore } from '@kestrion/store';

/** Where the store URL came from: `--store`, `$KESTRION_STORE`, or the default `./kestrion.db`. */
export type StoreSource = '--store' | 'KESTRION_STORE' | 'default';

export interface StoreChoice {
  url: string;
  source: StoreSource;
}

/**
 * `--store URL`, else `$KESTRION_STORE`, else `sqlite://kestrion.db` (in the working directory).
 * A bare file path (`./runs.db`) is taken as a SQLite file.
 */
export function chooseStore(flag: string | undefined, env: NodeJS.ProcessEnv): StoreChoice {
  const given = flag ?? (env.KESTRION_STORE ? env.KESTRION_STORE : undefined);
  const source: StoreSource =
    flag !== undefined ? '--store' : given !== undefined ? 'KESTRION_STORE' : 'default';
  const raw = given ?? DEFAULT_STORE_URL;
  const url = raw.includes(':') ? raw : `sqlite://${raw}`;
  return { url, source };
}

/** The SQLite file a store URL names, if it names one. */
export function sqliteFileOf(url: string): string | undefined {
  if (!url.startsWith('sqlite://')) return undefined;
  const path = url.slice('sqlite://'.length).split('?')[0] ?? '';
  return path === '' ? undefined : decodeURIComponent(path);
}

/**
 * A store that must exist already (commands that only read or decide): a SQLite URL naming no
 * file is refused instead of creating an empty database that holds no run.
 */
export function assertStoreExists(choice: StoreChoice): void {
  const file = sqliteFileOf(choice.url);
  if (file === undefined || existsSync(file)) return;
  const from =
    choice.source === 'default'
      ? 'no --store was given and KESTRION_STORE is not set, so the default ./kestrion.db was used'
      : `the store came from ${choice.source}`;
  throw new ConfigurationError(
    `no store at ${resolve(file)} (${from}). Fix: pass --store <url> (sqlite://path/to/file.db or postgres://...) or set KESTRION_STORE to the store your runs were written to`,
  );
}

/** Opens the chosen store for a command that does not drive runs (no agent module). */
export async function openExistingStore(choice: StoreChoice): Promise<Store> {
  assertStoreExists(choice);
  return openStore(choice.url);
}
