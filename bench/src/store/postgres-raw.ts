import { Client } from 'pg';
import { type BenchRow, eventsTableDdl } from './bench-rows';

const INSERT =
  'insert into raw_events (run_id, seq, event_id, type, v, at, data, cost) values ($1, $2, $3, $4, $5, $6, $7, $8)';

async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

export async function createRawPostgresTable(url: string): Promise<void> {
  const client = await connect(url);
  try {
    await client.query(eventsTableDdl('raw_events'));
  } finally {
    await client.end();
  }
}

/** Fresh statistics (and visibility map) for the read table, for both sides alike. */
export async function vacuumAnalyzeEvents(url: string): Promise<void> {
  const client = await connect(url);
  try {
    await client.query('vacuum analyze kestrion_events');
  } finally {
    await client.end();
  }
}

async function insertEach(client: Client, rows: BenchRow[]): Promise<void> {
  for (const r of rows)
    await client.query(INSERT, [r.runId, r.seq, r.eventId, r.type, r.v, r.at, r.data, r.cost]);
}

/**
 * The floor for PostgreSQL appends: autocommit single-row inserts of the same rows into a table
 * of the same shape, from `connections` clients at once (rows split between them by index).
 * Connecting is not timed.
 */
export async function rawPostgresInserts(
  url: string,
  connections: number,
  rows: BenchRow[][],
): Promise<{ ms: number; ops: number }> {
  const clients = await Promise.all(Array.from({ length: connections }, () => connect(url)));
  try {
    const t0 = performance.now();
    await Promise.all(clients.map((c, i) => insertEach(c, rows[i] ?? [])));
    return { ms: performance.now() - t0, ops: rows.reduce((n, r) => n + r.length, 0) };
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

/** The floor for reading a run: one query over Kestrion's table, then `JSON.parse` of each payload. */
export class RawPostgresReader {
  private constructor(private readonly client: Client) {}

  static async open(url: string): Promise<RawPostgresReader> {
    return new RawPostgresReader(await connect(url));
  }

  async read(runId: string): Promise<unknown[]> {
    const { rows } = await this.client.query<{ data: string }>(
      'select run_id, seq, event_id, type, v, at, data, cost from kestrion_events where run_id = $1 order by seq',
      [runId],
    );
    return rows.map((r) => JSON.parse(r.data) as unknown);
  }

  close(): Promise<void> {
    return this.client.end();
  }
}
