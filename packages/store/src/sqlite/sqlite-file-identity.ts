import { statSync } from 'node:fs';

/**
 * The database file this connection opened, by device and inode. A file deleted (or replaced)
 * while open keeps taking writes through the open handle, and SQLite reports them committed:
 * they live in a file no path names any more and vanish when the process exits. Comparing the
 * path with the inode opened, when a write commits, keeps such writes from being reported as
 * durable. One stat per transaction (a few µs), not per append.
 */
export class SqliteFileIdentity {
  private readonly opened: { dev: number; ino: number } | undefined;

  constructor(private readonly filename: string) {
    const st = filename === ':memory:' ? undefined : statSync(filename, { throwIfNoEntry: false });
    this.opened = st && { dev: st.dev, ino: st.ino };
  }

  /** Undefined while the path still names the file opened; otherwise what happened to it. */
  problem(): string | undefined {
    if (!this.opened) return undefined;
    let st;
    try {
      st = statSync(this.filename, { throwIfNoEntry: false });
    } catch (error) {
      return `can no longer be looked up (${(error as Error).message})`;
    }
    if (!st) return 'was deleted (or its directory was) while the store had it open';
    if (st.dev !== this.opened.dev || st.ino !== this.opened.ino)
      return 'was replaced by another file while the store had it open';
    return undefined;
  }
}
