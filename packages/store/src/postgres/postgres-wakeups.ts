import { StoreError } from '@kestrion/core';
import { scrubError, scrubSecrets } from '@kestrion/core/store-kit';
import type { Client } from 'pg';

/** Where to LISTEN: a `postgres://` URL, or the fields of one (no driver type in the public API). */
export type PostgresWakeupsConnection =
  | string
  | {
      connectionString?: string;
      host?: string;
      port?: number;
      user?: string;
      password?: string;
      database?: string;
    };
import { requiringDriver } from '../optional-driver';

/** The channel an append notifies when it makes a run claimable (PostgreSQL; see postgres-append-statements). */
export const RUNNABLE_CHANNEL = 'kestrion_runnable';

export interface PostgresWakeupsOptions {
  /** Told about connection failures of the listening connection (it reconnects on its own). */
  onError?: (error: unknown) => void;
  /** Longest wait between reconnect attempts (default 5,000 ms; starts at 100 ms). */
  maxReconnectDelayMs?: number;
}

/**
 * Hints for idle workers from PostgreSQL `LISTEN/NOTIFY`: the append that makes a run claimable
 * notifies `kestrion_runnable` in its own transaction (submitted, decided, input
 * sent, cancel requested), and PostgreSQL delivers it when that transaction commits — so a
 * worker claims a decided run within milliseconds instead of at its next poll.
 *
 * One dedicated connection per subscription (LISTEN holds its session). When it drops, it
 * reconnects with backoff and gives one hint on reconnecting, since notifications sent while
 * it was down are lost; polling remains the worker's bound on lateness either way.
 * Structurally a `RunnableWakeups` of `@kestrion/scheduler`.
 */
export function postgresWakeups(
  connection: PostgresWakeupsConnection,
  options: PostgresWakeupsOptions = {},
): { subscribe(onHint: () => void): Promise<() => Promise<void>> } {
  const config = typeof connection === 'string' ? { connectionString: connection } : { ...connection };
  const maxDelay = options.maxReconnectDelayMs ?? 5_000;
  return {
    async subscribe(onHint) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const pg = requiringDriver('pg', () => require('pg') as typeof import('pg'));
      let closed = false;
      let client: Client | undefined;
      let delay = 100;
      let retry: NodeJS.Timeout | undefined;

      const connect = async (): Promise<void> => {
        const c = new pg.Client(config);
        c.on('notification', (n) => {
          if (n.channel === RUNNABLE_CHANNEL) onHint();
        });
        c.on('error', (error) => {
          options.onError?.(error);
          reconnect(c);
        });
        c.on('end', () => reconnect(c));
        await c.connect();
        await c.query(`LISTEN ${RUNNABLE_CHANNEL}`);
        client = c;
        delay = 100;
      };
      const reconnect = (dead: Client): void => {
        if (closed || client !== dead) return;
        client = undefined;
        dead.end().catch(() => undefined);
        const attempt = (): void => {
          retry = undefined;
          if (closed) return;
          connect().then(
            // Anything notified while the connection was down is lost: look once.
            () => onHint(),
            (error: unknown) => {
              options.onError?.(error);
              delay = Math.min(maxDelay, delay * 2);
              retry = setTimeout(attempt, delay);
              retry.unref();
            },
          );
        };
        retry = setTimeout(attempt, delay);
        retry.unref();
      };

      try {
        await connect();
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        throw new StoreError(scrubSecrets(`cannot LISTEN for runnable runs: ${detail}`), {
          cause: scrubError(error),
          retryable: true,
        });
      }
      return async () => {
        closed = true;
        if (retry) clearTimeout(retry);
        const c = client;
        client = undefined;
        await c?.end().catch(() => undefined);
      };
    },
  };
}
