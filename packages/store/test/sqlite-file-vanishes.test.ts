import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, type NewEvent, StoreError } from '@kestrion/core';
import { openStore } from '@kestrion/store';

const started = (): NewEvent => ({
  id: `e-${Math.random()}`,
  type: 'run.started',
  at: new Date().toISOString(),
  data: { agent: 'vanish', input: null },
});

/** `chattr +i` (immutable even to root) works on this filesystem. */
function immutableWorks(dir: string): boolean {
  const probe = join(dir, 'probe');
  try {
    copyFileSync(__filename, probe);
    execFileSync('chattr', ['+i', probe], { stdio: 'ignore' });
    execFileSync('chattr', ['-i', probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { force: true });
  }
}

const chattr = (flag: string, ...paths: string[]) =>
  execFileSync('chattr', [flag, ...paths], { stdio: 'ignore' });

describe('SQLite: a database file that disappears or turns read-only', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrion-vanish-'));
    path = join(dir, 'runs.db');
  });
  afterEach(() => {
    for (const p of [dir, path, `${path}-wal`, `${path}-shm`])
      try {
        chattr('-i', p);
      } catch {
        // not there, or never made immutable
      }
    rmSync(dir, { recursive: true, force: true });
  });

  async function expectRefusedNaming(write: Promise<unknown>, what: RegExp): Promise<void> {
    const error = await write.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (process.env.KESTRION_SHOW_ERRORS) process.stderr.write(`${String(error)}\n`);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain(JSON.stringify(path));
    expect((error as Error).message).toMatch(what);
    expect((error as StoreError).retryable).toBe(false);
  }

  it.each([
    ['the file is unlinked', () => unlinkSync(path)],
    [
      'the file and its -wal/-shm are unlinked',
      () => [path, `${path}-wal`, `${path}-shm`].forEach((p) => unlinkSync(p)),
    ],
    ['its directory is removed', () => rmSync(dir, { recursive: true, force: true })],
  ])('never reports a write durable once %s, and names the path', async (_, vanish) => {
    const store = await openStore(`sqlite://${path}`);
    try {
      await store.append('before', 0, [started()]);
      vanish();
      await expectRefusedNaming(store.append('after', 0, [started()]), /was deleted .*reopen the store/);
      // Leases and snapshots go through the same writer.
      await expectRefusedNaming(
        store.acquireLease('before', { owner: 'A', ttlMs: 10, now: 0 }),
        /was deleted/,
      );
    } finally {
      await store.close();
    }
  });

  it('never reports a write durable once another file was moved over its path', async () => {
    const store = await openStore(`sqlite://${path}`);
    try {
      await store.append('before', 0, [started()]);
      const other = join(dir, 'other.db');
      await (await openStore(`sqlite://${other}`)).close();
      renameSync(other, path);
      await expectRefusedNaming(store.append('after', 0, [started()]), /was replaced by another file/);
    } finally {
      await store.close();
    }
  });

  it('names the path when the file turns read-only (chattr +i: immutable even to root)', async () => {
    if (!immutableWorks(dir)) {
      process.stderr.write('chattr +i is not available here: read-only case not run\n');
      return;
    }
    const store = await openStore(`sqlite://${path}`);
    try {
      await store.append('before', 0, [started()]);
      // Not the -shm: SQLite maps it into memory, and a write fault on an immutable mapping is SIGBUS.
      chattr('+i', path, `${path}-wal`);
      await expectRefusedNaming(
        store.append('after', 0, [started()]),
        /refuses writes|cannot be read or written/,
      );
    } finally {
      await store.close().catch(() => undefined);
    }
  });

  it('refuses to open a new database in a read-only directory, naming the path (ConfigurationError)', async () => {
    if (!immutableWorks(dir)) return;
    chattr('+i', dir);
    const opened = openStore(`sqlite://${path}`);
    await expect(opened).rejects.toBeInstanceOf(ConfigurationError);
    await expect(opened).rejects.toThrow(JSON.stringify(path));
  });
});
