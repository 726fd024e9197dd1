import { ConcurrencyError, KestrionError, StoreError } from '@kestrion/core';

/** Where the error happened, for messages that name the file and the setting to change. */
export interface SqliteErrorContext {
  filename: string;
  busyTimeoutMs: number;
}

/**
 * Maps a better-sqlite3 error to Kestrion's tree, naming the database file: a unique violation
 * is a lost append race (ConcurrencyError); a lock held past the busy timeout, a read-only or
 * vanished file, a full disk are StoreErrors that say what to do. Kestrion errors and errors
 * that are not SQLite's pass through as they are.
 */
export function translateSqliteError(
  err: unknown,
  at: SqliteErrorContext,
  runId?: string,
  expectedSeq?: number,
): unknown {
  if (err instanceof KestrionError) return err;
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return err;
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE')
    return new ConcurrencyError(runId ?? '?', expectedSeq ?? -1, undefined, { cause: err });
  const file = `SQLite database ${JSON.stringify(at.filename)}`;
  const detail = (err as Error).message;
  const fail = (message: string, retryable: boolean) => new StoreError(message, { cause: err, retryable });
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return fail(
      `${file} stayed locked by another connection for the whole busy timeout (${at.busyTimeoutMs} ms): ` +
        'another process is holding a write transaction; retry later, or raise the busy timeout',
      true,
    );
  if (code.startsWith('SQLITE_READONLY'))
    return fail(
      `${file} refuses writes (${code}: ${detail}): the file, its -wal/-shm files, its directory or its ` +
        'filesystem became read-only, or the file was moved; make them writable by this process and reopen the store',
      false,
    );
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR'))
    return fail(
      `${file} cannot be read or written (${code}: ${detail}): the file, its -wal file or its directory ` +
        'may have been removed or made read-only, or the disk failed; check the path and reopen the store',
      false,
    );
  if (code === 'SQLITE_FULL')
    return fail(`${file}: the disk is full (${detail}); free space, then retry`, true);
  return fail(`${file}: ${code}: ${detail}`, false);
}

/**
 * The database file vanished from its path while open (see SqliteFileIdentity). `committed`:
 * the write went into the orphaned file, which SQLite reported done, but it is not durable.
 */
export function vanishedFileError(filename: string, problem: string, committed: boolean): StoreError {
  return new StoreError(
    `SQLite database ${JSON.stringify(filename)} ${problem}: ` +
      (committed
        ? 'this write went into the deleted file and is NOT durable (it is lost when the process exits); '
        : 'nothing was written; ') +
      'restore the file (or point the store at a new one) and reopen the store',
  );
}
