import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { eventsTableDdl } from '../store/bench-rows';

/**
 * What no engine can beat on this machine, measured in the same run as the comparison: the
 * commit a durable step needs (one event row and the run's row, in one transaction), done
 * with raw better-sqlite3 prepared statements; and a Node process that does nothing.
 */
export function rawStepCommitMs(filename: string, synchronous: 'FULL' | 'NORMAL', steps: number): number {
  const db = new Database(filename);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.exec(eventsTableDdl('raw_events', true));
    db.exec(`create table raw_runs (run_id text primary key, status text not null, head_seq integer not null,
      updated_at text not null)`);
    db.exec('create index raw_runs_status on raw_runs (status)');
    const runId = 'run_019aa000-0000-7000-8000-000000000000';
    db.prepare('insert into raw_runs values (?, ?, 0, ?)').run(runId, 'running', new Date(0).toISOString());
    const begin = db.prepare('begin immediate');
    const commit = db.prepare('commit');
    const insert = db.prepare('insert into raw_events values (?, ?, ?, ?, ?, ?, ?, ?)');
    const update = db.prepare('update raw_runs set head_seq = ?, updated_at = ? where run_id = ?');
    const t0 = performance.now();
    for (let seq = 1; seq <= steps; seq++) {
      const at = new Date(Date.UTC(2026, 0, 1) + seq).toISOString();
      const data = JSON.stringify({ node: 'step', visit: seq, patch: { set: { count: seq } } });
      begin.run();
      insert.run(
        runId,
        seq,
        `evt_019aa000-0000-7000-8000-${String(seq).padStart(12, '0')}`,
        'node.entered',
        2,
        at,
        data,
        null,
      );
      update.run(seq, at, runId);
      commit.run();
    }
    return (performance.now() - t0) / steps;
  } finally {
    db.close();
  }
}

/** ms from process start to the first line of an empty script (what every process pays). */
export function emptyNodeStartMs(): number {
  const out = execFileSync(process.execPath, ['-e', 'process.stdout.write(String(performance.now()))'], {
    encoding: 'utf8',
  });
  return Number(out);
}
