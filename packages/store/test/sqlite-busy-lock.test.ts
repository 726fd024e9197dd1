import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { type NewEvent, StoreError, defaultEventRegistry } from '@kestrion/core';
import { DEFAULT_MAX_EVENT_BYTES } from '@kestrion/core/store-kit';
import { KyselyStore, openStore } from '@kestrion/store';
import { SqliteStoreDialect } from '../src/sqlite/sqlite-store-dialect';

const started = (i: number): NewEvent => ({
  id: `e${i}-${Math.random()}`,
  type: 'run.started',
  at: new Date().toISOString(),
  data: { agent: 'busy', input: i },
});

/** The store on `path` with a busy timeout of `busyTimeoutMs` (openStore uses the 5 s default). */
function storeWithBusyTimeout(path: string, busyTimeoutMs: number): KyselyStore {
  const registry = defaultEventRegistry();
  const dialect = new SqliteStoreDialect({ filename: path, busyTimeoutMs }, registry);
  return new KyselyStore(dialect, { registry, maxEventBytes: DEFAULT_MAX_EVENT_BYTES });
}

/**
 * Measures, while `work` runs, the worst event-loop stall (the longest gap between the
 * callbacks of a 10 ms interval, or perf_hooks' event-loop delay, whichever is worse) and how
 * many ticks fired.
 */
async function whileMeasuring<T>(work: () => Promise<T>) {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  let ticks = 0;
  let last = performance.now();
  let maxGapMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
    ticks += 1;
  }, 10);
  delay.enable();
  const t0 = performance.now();
  const outcome = await work().then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error }),
  );
  const end = performance.now();
  delay.disable();
  clearInterval(ticker);
  maxGapMs = Math.max(maxGapMs, end - last);
  return { ...outcome, elapsedMs: end - t0, maxLagMs: Math.max(maxGapMs - 10, delay.max / 1e6), ticks };
}

describe("SQLite: a write blocked by another connection's lock does not freeze the event loop", () => {
  let dir: string;
  let path: string;
  let blocker: Database.Database;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kestrion-busy-'));
    path = join(dir, 'busy.db');
    await (await openStore(`sqlite://${path}`)).close(); // migrated
    blocker = new Database(path);
  });
  afterEach(() => {
    if (blocker.inTransaction) blocker.exec('rollback');
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('waits for the lock asynchronously: timers keep firing, and queued appends commit once it is free', async () => {
    const store = await openStore(`sqlite://${path}`);
    try {
      await store.append('warm', 0, [started(0)]);
      blocker.exec('begin immediate');
      setTimeout(() => blocker.exec('commit'), 1000);
      const m = await whileMeasuring(() =>
        Promise.all(Array.from({ length: 20 }, (_, i) => store.append(`run-${i}`, 0, [started(i)]))),
      );
      process.stderr.write(
        `busy lock held 1 s: appends ${m.error ? `failed (${String(m.error)})` : 'committed'} after ${m.elapsedMs.toFixed(0)} ms; ` +
          `max event-loop lag ${m.maxLagMs.toFixed(1)} ms; ${m.ticks} ticks of 10 ms\n`,
      );
      expect(m.error).toBeUndefined();
      expect(m.elapsedMs).toBeGreaterThanOrEqual(950);
      expect(m.maxLagMs).toBeLessThan(400); // SQLite's own wait was the whole busy timeout
      // About 95 ticks on a quiet machine; a loop frozen for the wait would tick about once. The
      // bound leaves room for a loaded CI machine (a concurrent benchmark gave 33).
      expect(m.ticks).toBeGreaterThan(15);
      for (let i = 0; i < 20; i++) expect((await store.getRun(`run-${i}`))?.headSeq).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('gives up after the configured busy timeout with a retryable StoreError naming the file, loop still moving', async () => {
    const store = storeWithBusyTimeout(path, 1000);
    try {
      blocker.exec('begin immediate');
      const m = await whileMeasuring(() => store.append('late', 0, [started(1)]));
      process.stderr.write(
        `busy lock never released, busy timeout 1000 ms: gave up after ${m.elapsedMs.toFixed(0)} ms; ` +
          `max event-loop lag ${m.maxLagMs.toFixed(1)} ms; ${m.ticks} ticks of 10 ms\n`,
      );
      expect(m.error).toBeInstanceOf(StoreError);
      expect((m.error as StoreError).retryable).toBe(true);
      expect((m.error as Error).message).toContain(JSON.stringify(path));
      expect((m.error as Error).message).toMatch(/locked by another connection.*1000 ms/);
      expect(m.elapsedMs).toBeGreaterThanOrEqual(950);
      expect(m.elapsedMs).toBeLessThan(3000);
      expect(m.ticks).toBeGreaterThan(30);
      expect(m.maxLagMs).toBeLessThan(400); // SQLite's own wait was the whole busy timeout
      blocker.exec('rollback');
      // Once the lock is free the same store writes again.
      expect((await store.append('late', 0, [started(2)])).headSeq).toBe(1);
    } finally {
      await store.close();
    }
  });
});
