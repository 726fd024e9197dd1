/**
 * What the store needs of a `pg.Pool`, typed structurally: a pool from `new Pool(...)` of pg 8
 * fits, and no pg type reaches a caller's declarations.
 */
export interface PgPool {
  connect(): Promise<PgPoolClient>;
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rowCount: number | null }>;
  end(): Promise<void>;
}

/** A client checked out of a `PgPool` (pg's `PoolClient`). */
export interface PgPoolClient {
  query(...args: never[]): unknown;
  release(error?: Error | boolean): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
}

/** Where a PostgreSQL store connects: a URL (the store makes and ends its pool), or a pool. */
export interface PostgresStoreConfig {
  /** `postgres://user@host:port/database`; ignored when `pool` is given. */
  connectionString?: string;
  /**
   * A pool the application made and owns: the store runs on it as it is (its search_path is
   * never changed) and closing the store does not end it.
   */
  pool?: PgPool;
  /** Pool size (default 10) of a pool the store makes. Appends from many runs share it; each append is one statement. */
  maxConnections?: number;
  /**
   * The PostgreSQL schema of Kestrion's tables (created when migrating). Default: none, the
   * connection's search_path (normally `public`).
   */
  schema?: string;
}
