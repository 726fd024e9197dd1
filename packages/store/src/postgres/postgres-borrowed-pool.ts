import type { PgPool, PgPoolClient } from './postgres-config';

const ignore = (): undefined => undefined;

/**
 * The application's own pool, as the store uses it: the same connections, but
 *
 * - `end()` does nothing: closing the store (kysely's destroy ends its pool) must not end a
 *   pool the store did not make, which the application still queries;
 * - a client the store checks out carries an `error` listener only while it is checked out. A
 *   backend terminated between two queries of a checked-out client emits `error`, and with no
 *   listener that kills the process; with one, the next query rejects instead (a StoreError).
 *   The listener goes with the release, so the application's clients keep its own behaviour.
 */
export function borrowedPool(pool: PgPool): PgPool {
  return {
    async connect(): Promise<PgPoolClient> {
      const client = await pool.connect();
      client.on('error', ignore);
      let released = false;
      return {
        query: (...args: never[]) => client.query(...args),
        release(error?: Error | boolean) {
          if (released) return;
          released = true;
          client.removeListener('error', ignore);
          client.release(error);
        },
        on: (event, listener) => client.on(event, listener),
        removeListener: (event, listener) => client.removeListener(event, listener),
      };
    },
    query: (config) => pool.query(config),
    end: () => Promise.resolve(),
  };
}
