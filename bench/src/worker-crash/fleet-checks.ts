import type { StoredEvent } from '@kestrion/core';
import type { LedgerEntry } from '@kestrion/testing';
import { type JournalEntry, pidOfOwner } from './worker-crash-protocol';

type Entry<K extends JournalEntry['k']> = Extract<JournalEntry, { k: K }>;

/** What the checks read about one run: its log and its effects. */
export interface RunEvidence {
  runId: string;
  status: string;
  log: StoredEvent[];
  effects: LedgerEntry[];
}

function byRun<T extends { run: string }>(entries: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const e of entries) map.set(e.run, [...(map.get(e.run) ?? []), e]);
  return map;
}

/**
 * Lease exclusivity, from the journals of every process: per run, each lease was granted only
 * once the one before it had ended — handed back before the next claim resolved, or expired
 * (its last renewal as its holder recorded it) by the time the next claim asked. A lease granted
 * while another was live is a failure. What a SIGKILL kept a process from writing (a last
 * renewal, a claim) only makes this weaker, never wrong.
 */
export function leaseProblems(journal: JournalEntry[]): string[] {
  const problems: string[] = [];
  const claims = byRun(journal.filter((e): e is Entry<'claim'> => e.k === 'claim'));
  const expiry = new Map<string, number>();
  const released = new Map<string, number>();
  for (const e of journal) {
    const key = `${e.run}#${e.epoch}`;
    if (e.k === 'claim' || e.k === 'renew') expiry.set(key, Math.max(expiry.get(key) ?? 0, e.exp));
    if (e.k === 'release') released.set(key, Math.min(released.get(key) ?? Infinity, e.t0));
  }
  for (const [run, list] of claims) {
    const sorted = [...list].sort((a, b) => a.epoch - b.epoch);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1] as Entry<'claim'>;
      const next = sorted[i] as Entry<'claim'>;
      if (next.epoch === prev.epoch) {
        problems.push(`run ${run}: epoch ${next.epoch} granted twice (${prev.owner}, ${next.owner})`);
        continue;
      }
      const key = `${run}#${prev.epoch}`;
      const handedBack = (released.get(key) ?? Infinity) <= next.t1;
      const lapsed = next.now >= (expiry.get(key) ?? Infinity);
      if (!handedBack && !lapsed)
        problems.push(
          `run ${run}: ${next.owner} was granted epoch ${next.epoch} at ${next.now} while ${prev.owner}'s epoch ${prev.epoch} was live until ${expiry.get(key)}`,
        );
    }
  }
  return problems;
}

/**
 * The log's fencing, from the journals: per run, the leased appends that committed cover
 * distinct seqs, and in seq order their lease epochs never go back (a holder that lost its
 * lease committed nothing after the next holder's first append). And no committed append of an
 * earlier lease was sent after a node of a later lease had started (returned or not): the
 * later holder starts a node only after its claim, and once that claim committed no append
 * under the earlier lease can commit. Two holders that both committed while the other was
 * running fail this; a killed or paused holder whose node ran on but committed nothing does not.
 */
export function fencingProblems(journal: JournalEntry[]): string[] {
  const problems: string[] = [];
  const appends = byRun(journal.filter((e): e is Entry<'append'> => e.k === 'append'));
  // Node starts (a node need not return: a zombie's may start, only its appends must fail).
  const nodes = byRun(
    journal.filter((e): e is Entry<'node'> => e.k === 'node' && e.e === undefined && e.epoch >= 0),
  );
  for (const [run, list] of appends) {
    const sorted = [...list].sort((a, b) => a.from - b.from);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1] as Entry<'append'>;
      const next = sorted[i] as Entry<'append'>;
      if (next.from <= prev.to)
        problems.push(
          `run ${run}: seqs ${next.from}..${prev.to} committed twice (epochs ${prev.epoch}, ${next.epoch})`,
        );
      if (next.epoch < prev.epoch)
        problems.push(
          `run ${run}: epoch ${next.epoch} appended seq ${next.from} after epoch ${prev.epoch} appended seq ${prev.from}`,
        );
    }
    for (const node of nodes.get(run) ?? [])
      for (const a of sorted)
        if (a.epoch < node.epoch && a.t0 > node.s)
          problems.push(
            `run ${run}: epoch ${a.epoch} committed seqs ${a.from}..${a.to} (sent at ${a.t0}) while ${node.owner} (epoch ${node.epoch}) was running node ${node.node} (since ${node.s})`,
          );
  }
  return problems;
}

/**
 * Effects, from the ledgers and the logs: per completed run, `lookup` (idempotent) changed the
 * world once and `charge` (non-idempotent) ran once; every effect was made with the idempotency
 * key the log gave its call, by a process whose `tool.started` for that call is in the log (a
 * process that lost its lease before recording the start never acts).
 */
export function effectProblems(runs: RunEvidence[]): string[] {
  const problems: string[] = [];
  for (const r of runs) {
    if (r.status !== 'completed') {
      problems.push(`run ${r.runId} ended ${r.status}`);
      continue;
    }
    const applied = (name: string) => r.effects.filter((e) => e.name === name && e.applied);
    for (const name of ['lookup', 'charge'])
      if (applied(name).length !== 1)
        problems.push(`run ${r.runId}: ${name} applied ${applied(name).length} times`);
    const starts = r.log.filter((e) => e.type === 'tool.started');
    const requested = new Map(
      r.log
        .filter((e) => e.type === 'tool.requested')
        .map((e) => [(e.data as { callId: string }).callId, (e.data as { tool: string }).tool]),
    );
    for (const effect of r.effects) {
      const mine = starts.filter((s) => {
        const d = s.data as { callId: string; idempotencyKey: string; owner?: string };
        return requested.get(d.callId) === effect.name && d.idempotencyKey === effect.key;
      });
      if (mine.length === 0) {
        problems.push(
          `run ${r.runId}: ${effect.name} ran with key ${effect.key}, which no tool.started holds`,
        );
        continue;
      }
      const pids = mine.map((s) => pidOfOwner((s.data as { owner?: string }).owner ?? ''));
      if (!pids.includes(effect.pid))
        problems.push(
          `run ${r.runId}: ${effect.name} ran in pid ${effect.pid}, but its start was recorded by ${pids.join(', ')}`,
        );
    }
  }
  return problems;
}
