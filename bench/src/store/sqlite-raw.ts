import Database from 'better-sqlite3';
import { type BenchRow, eventsTableDdl } from './bench-rows';

const COLUMNS = 'run_id, seq, event_id, type, v, at, data, cost';

/**
 * The floor for SQLite appends: better-sqlite3 prepared statements inserting the same rows
 * into a table of the same shape, in its own database file with the same pragmas.
 */
export class RawSqliteTable {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly begin: Database.Statement;
  private readonly commit: Database.Statement;

  constructor(filename: string, synchronous: 'FULL' | 'NORMAL') {
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${synchronous}`);
    this.db.exec(eventsTableDdl('raw_events', true));
    this.insert = this.db.prepare(`insert into raw_events (${COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.begin = this.db.prepare('begin');
    this.commit = this.db.prepare('commit');
  }

  /** `BEGIN; INSERT; COMMIT` per row. */
  singleRowTransactions(rows: BenchRow[]): void {
    for (const r of rows) {
      this.begin.run();
      this.put(r);
      this.commit.run();
    }
  }

  /** Transactions of `batchSize` rows. */
  batchedTransactions(rows: BenchRow[], batchSize: number): void {
    for (let i = 0; i < rows.length; i += batchSize) {
      this.begin.run();
      for (const r of rows.slice(i, i + batchSize)) this.put(r);
      this.commit.run();
    }
  }

  close(): void {
    this.db.close();
  }

  private put(r: BenchRow): void {
    this.insert.run(r.runId, r.seq, r.eventId, r.type, r.v, r.at, r.data, r.cost);
  }
}

/** The floor for reading a run: one query over Kestrion's table, then `JSON.parse` of each payload. */
export class RawSqliteReader {
  private readonly db: Database.Database;
  private readonly select: Database.Statement<[string], { data: string }>;

  constructor(filename: string) {
    this.db = new Database(filename, { readonly: true });
    this.select = this.db.prepare(
      `select ${COLUMNS} from kestrion_events where run_id = ? order by seq`,
    ) as Database.Statement<[string], { data: string }>;
  }

  /** Returns the parsed payloads (kept, so the work is not optimised away). */
  read(runId: string): unknown[] {
    return this.select.all(runId).map((r) => JSON.parse(r.data) as unknown);
  }

  close(): void {
    this.db.close();
  }
}
