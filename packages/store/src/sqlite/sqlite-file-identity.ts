import { closeSync, fstatSync, openSync, statSync } from 'node:fs';

/**
 * Whether the database file this connection opened still has a name on disk. A file deleted
 * (or replaced by another moved over its path) while open keeps taking writes through the open
 * handle, and SQLite reports them committed: they live in a file no path names any more and
 * vanish when the process exits. Checking, when a write commits, keeps such writes from being
 * reported as durable.
 *
 * The check is an `fstat` of a read-only descriptor of our own on the file, looking at its link
 * count: no path lookup (a `stat` of the path cost about twice as much, on every commit), and it
 * asks exactly the durability question (a file moved away with its directory, or still linked
 * under another name, keeps its writes). The path is looked at only once the count is 0, to say
 * whether the file was deleted or replaced.
 *
 * POSIX drops every lock a process holds on a file when it closes any descriptor of that file,
 * so this descriptor is closed only after SQLite has closed its own (see `close`).
 */
export class SqliteFileIdentity {
  private fd: number | undefined;
  /** The file could not be opened for the check: each commit stats the path instead. */
  private unreadable = false;

  constructor(private readonly filename: string) {
    if (filename === ':memory:') return;
    try {
      this.fd = openSync(filename, 'r');
    } catch {
      // SQLite opened the file, so this is unexpected (a race with its deletion): the first
      // commit's check reports what happened to the path.
      this.unreadable = true;
    }
  }

  /** Undefined while the file opened still has a name; otherwise what happened to it. */
  problem(): string | undefined {
    if (this.fd !== undefined) {
      let links: number;
      try {
        links = fstatSync(this.fd).nlink;
      } catch (error) {
        return `can no longer be looked up (${(error as Error).message})`;
      }
      if (links > 0) return undefined;
    } else if (!this.unreadable) return undefined;
    let st;
    try {
      st = statSync(this.filename, { throwIfNoEntry: false });
    } catch (error) {
      return `can no longer be looked up (${(error as Error).message})`;
    }
    if (!st) return 'was deleted (or its directory was) while the store had it open';
    return this.fd === undefined ? undefined : 'was replaced by another file while the store had it open';
  }

  /** Closes the descriptor. Call only once SQLite has closed the database (see the class comment). */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    this.unreadable = false;
    closeSync(fd);
  }
}
