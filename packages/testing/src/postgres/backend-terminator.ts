import { Client } from 'pg';

export interface BackendTerminator {
  /** Stops terminating; resolves with how many backends were terminated in all. */
  stop(): Promise<number>;
}

const TERMINATE = `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
  where datname = current_database() and pid <> pg_backend_pid()`;

/**
 * Terminates every other backend connected to the database at `url` every `everyMs`, from a
 * connection of its own (it never terminates itself): what a failover, an admin's
 * `pg_terminate_backend` or a restarting pooler does to a live process.
 */
export async function terminateBackendsEvery(url: string, everyMs: number): Promise<BackendTerminator> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  let terminated = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query<{ n: number }>(TERMINATE);
      terminated += rows[0]?.n ?? 0;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await client.end();
      return terminated;
    },
  };
}
