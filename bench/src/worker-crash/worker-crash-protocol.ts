import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** What `worker-child` runs: a `Worker` (claims and drives), or `recoverRuns` sweeps in a loop. */
export type WorkerChildRole = 'worker' | 'sweeper';

/** One JSON argument of `worker-child`. */
export interface WorkerChildConfig {
  role: WorkerChildRole;
  storeUrl: string;
  /** The trial's directory: `ledgers/<runId>.jsonl` (effects) and `journal-<owner>.jsonl` (lease use). */
  dir: string;
  /** The lease owner is `<label>:<pid>`. */
  label: string;
  leaseTtlMs: number;
  /** Worker only (defaults: 8 runs at once, idle poll 10..100 ms, grace 5,000 ms). */
  concurrency?: number;
  idlePoll?: { minMs: number; maxMs: number };
  graceMs?: number;
  /** Serve /healthz /readyz /metrics on a free port (printed in the `ready` line). */
  probe?: boolean;
  /** The graph's knobs (see `queueGraph`). */
  graph: QueueGraphOptions;
}

export interface QueueGraphOptions {
  /** The node awaits a random time in [min, max] ms between its two tool calls. */
  awaitMs: [number, number];
  /** `charge` (non-idempotent) takes this long after its effect (a slow call to SIGTERM in). */
  slowChargeMs?: number;
  /** Print `in-tool charge <runId>` on stdout once the charge effect is recorded. */
  announceCharge?: boolean;
}

/** A line of a process's journal: what it did with leases, as it saw it, on its own clock. */
export type JournalEntry =
  /** A claim that returned a lease: `now` is the time the claim asked with. */
  | { k: 'claim'; run: string; owner: string; epoch: number; now: number; exp: number; t1: number }
  | { k: 'renew'; run: string; epoch: number; exp: number; t1: number }
  /** `t0`: right before the release was sent (a release that was a no-op is recorded too). */
  | { k: 'release'; run: string; epoch: number; t0: number }
  /** A leased append that resolved: seqs `from..to`, sent at `t0`, resolved at `t1`. */
  | { k: 'append'; run: string; epoch: number; from: number; to: number; t0: number; t1: number }
  /**
   * One execution of a node under the lease epoch this process held: written when it starts
   * (`s`), and again with `e` when it returns (a killed or interrupted one never returns).
   */
  | { k: 'node'; run: string; owner: string; epoch: number; node: string; s: number; e?: number };

export const QUEUE_AGENT = 'worker-queue';

/** The lease owner of a child: its label and pid (effects in the ledger carry the pid). */
export function ownerOf(label: string, pid: number): string {
  return `${label}:${pid}`;
}

export function pidOfOwner(owner: string): number {
  return Number(owner.split(':').pop());
}

export function ledgerPath(dir: string, runId: string): string {
  return join(dir, 'ledgers', `${runId}.jsonl`);
}

/** The compiled child script (tests run from `src/` under ts-jest, children from `dist/`). */
export function workerChildScript(): string {
  const path = resolve(__dirname, '..', '..', 'dist', 'worker-crash', 'worker-child.js');
  if (!existsSync(path))
    throw new Error(`${path} is missing: run \`npm run build\` before the worker reliability tests`);
  return path;
}
