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

/**
 * The bare cost of the 4 durable commits an approve + resume of a run with one
 * non-idempotent call needs (the decision; the lease; `tool.started`; the outcome with the
 * run's end), each one transaction of raw better-sqlite3 prepared statements writing the rows
 * Kestrion writes (event rows and the run's row), for `runs` runs. ms per run.
 */
export function rawApproveResumeCommitsMs(
  filename: string,
  synchronous: 'FULL' | 'NORMAL',
  runs: number,
): number {
  const db = new Database(filename);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.exec(eventsTableDdl('raw_events', true));
    db.exec(`create table raw_runs (run_id text primary key, status text not null, head_seq integer not null,
      updated_at text not null, lease_owner text, lease_epoch integer not null default 0, lease_expires_at_ms integer)`);
    db.exec('create index raw_runs_status on raw_runs (status)');
    const seed = db.prepare(
      'insert into raw_runs (run_id, status, head_seq, updated_at) values (?, ?, 9, ?)',
    );
    const ids = Array.from(
      { length: runs },
      (_, i) => `run_019aa000-0000-7000-8000-${String(i).padStart(12, '0')}`,
    );
    db.transaction(() => ids.forEach((id) => seed.run(id, 'waiting_on_human', new Date(0).toISOString())))();
    const begin = db.prepare('begin immediate');
    const commit = db.prepare('commit');
    const insert = db.prepare('insert into raw_events values (?, ?, ?, ?, ?, ?, ?, ?)');
    const update = db.prepare(
      'update raw_runs set status = ?, head_seq = ?, updated_at = ? where run_id = ?',
    );
    const lease = db.prepare(
      'update raw_runs set lease_owner = ?, lease_epoch = lease_epoch + 1, lease_expires_at_ms = ? where run_id = ?',
    );
    let n = 0;
    const event = (runId: string, seq: number, type: string, data: unknown) =>
      insert.run(
        runId,
        seq,
        `evt_${++n}`,
        type,
        1,
        new Date(Date.UTC(2026, 0, 1) + n).toISOString(),
        JSON.stringify(data),
        null,
      );
    const t0 = performance.now();
    for (const runId of ids) {
      const at = new Date(Date.UTC(2026, 0, 1) + n).toISOString();
      begin.run();
      event(runId, 10, 'approval.granted', {
        callId: 'c1',
        tool: 'apply',
        by: 'bench',
        argsHash: 'h',
        complete: true,
      });
      update.run('pending', 10, at, runId);
      commit.run();
      begin.run();
      lease.run('bench', Date.now() + 30_000, runId);
      commit.run();
      begin.run();
      event(runId, 11, 'tool.started', {
        callId: 'c1',
        attempt: 1,
        idempotencyKey: `${runId}:c1`,
        owner: 'bench',
      });
      update.run('running', 11, at, runId);
      commit.run();
      begin.run();
      event(runId, 12, 'tool.completed', { callId: 'c1', result: 'applied' });
      event(runId, 13, 'run.completed', { output: 'applied' });
      update.run('completed', 13, at, runId);
      commit.run();
    }
    return (performance.now() - t0) / runs;
  } finally {
    db.close();
  }
}
