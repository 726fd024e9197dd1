/** How SQLite trades durability for speed. */
export type SqliteSynchronous = 'FULL' | 'NORMAL';

export interface SqliteStoreConfig {
  /** A file path, or ':memory:'. */
  filename: string;
  /**
   * `FULL` (default): an append that resolved survives power loss and SIGKILL.
   * `NORMAL`: opt-in and faster; in WAL mode a SIGKILL loses nothing either, but the last
   * transactions before a power cut or OS crash may be rolled back.
   */
  synchronous?: SqliteSynchronous;
  /** How long a writer waits for another process's lock before failing (default 5,000 ms). */
  busyTimeoutMs?: number;
  /** Most appends committed together in one transaction (default 500). */
  maxBatch?: number;
}
