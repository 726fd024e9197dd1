export interface PostgresStoreConfig {
  /** `postgres://user@host:port/database` */
  connectionString: string;
  /** Pool size (default 10). Appends from many runs share it; each append is one statement. */
  maxConnections?: number;
}
