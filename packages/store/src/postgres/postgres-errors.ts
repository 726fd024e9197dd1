import { ConcurrencyError, KestrionError, StoreError } from '@kestrion/core';

// SQLSTATEs a new connection from the pool may not hit again: the backend was terminated or
// the server is shutting down or starting (57P0x), the connection failed (08xxx), a
// serialization failure or deadlock (40001, 40P01), too many connections (53300).
const RETRYABLE = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', '40001', '40P01', '53300']);

// pg's own errors for a connection that went away: they carry no SQLSTATE.
const CONNECTION_LOST =
  /connection terminated|not queryable|connection ended|timeout exceeded when trying to connect|socket|ECONN/i;

const RETRY_HINT = 'the connection pool reconnects by itself: retry the call (resume the run)';

/**
 * Maps whatever pg throws to Kestrion's tree: a unique violation is a lost append race
 * (ConcurrencyError); any other SQLSTATE, a socket error or pg's "Connection terminated" is a
 * StoreError, retryable when a fresh connection may succeed. Kestrion errors pass through, and
 * anything else (a bug, not the database) is returned as it is.
 */
export function translatePostgresError(err: unknown, runId?: string, expectedSeq?: number): unknown {
  if (err instanceof KestrionError) return err;
  const code = (err as { code?: unknown })?.code;
  const message = (err as Error)?.message ?? String(err);
  if (code === '23505')
    return new ConcurrencyError(runId ?? '?', expectedSeq ?? -1, undefined, { cause: err });
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    const retryable = RETRYABLE.has(code);
    return new StoreError(`PostgreSQL ${code}: ${message}${retryable ? `; ${RETRY_HINT}` : ''}`, {
      cause: err,
      retryable,
    });
  }
  if ((typeof code === 'string' && code.startsWith('E')) || CONNECTION_LOST.test(message))
    return new StoreError(`PostgreSQL connection lost: ${message}; ${RETRY_HINT}`, {
      cause: err,
      retryable: true,
    });
  return err;
}
