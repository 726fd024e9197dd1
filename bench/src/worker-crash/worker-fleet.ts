import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { Engine, KestrionError, type Store, isTerminal } from '@kestrion/core';
import { readRun } from '@kestrion/testing';
import { type RunEvidence, effectProblems, fencingProblems, leaseProblems } from './fleet-checks';
import { readJournals } from './journal-store';
import { type OperatorTally, newTally, queueRuns, settleParkedRuns } from './operator';
import { queueGraph, runLedger } from './queue-graph';
import type { QueueGraphOptions, WorkerChildConfig, WorkerChildRole } from './worker-crash-protocol';
import { type WorkerProcess, childErrors, killChild, spawnWorkerChild } from './worker-process';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The store the fleet shares: the parent's own handle, the URL children open, a temp dir. */
export interface FleetTarget {
  store: Store;
  storeUrl: string;
  dir: string;
}

/** A run whose lease a killed worker held, and how long it took another to take it over. */
export interface Orphan {
  runId: string;
  deadOwner: string;
  killedAt: number;
  /** When the dead owner's lease was due to expire, as the runs row said right after the kill. */
  expiresAt: number;
  /** Set once another owner holds it, or it ended or parked. */
  resumedAt?: number;
}

export interface FleetProblems {
  leases: string[];
  fencing: string[];
  effects: string[];
}

export type FleetChildOptions = Omit<WorkerChildConfig, 'role' | 'label' | 'storeUrl' | 'dir' | 'graph'>;

/**
 * Worker and sweeper child processes on one store, the parent's engine (which submits runs and
 * makes the operator's decisions), and the evidence the checks read: every process's journal,
 * every run's ledger and log. Each fleet has its own directory under the target's.
 */
export class Fleet {
  readonly dir: string;
  readonly engine: Engine;
  readonly operator: OperatorTally = newTally();
  /** Every process started, killed ones included. */
  readonly processes: WorkerProcess[] = [];
  readonly live = new Map<string, WorkerProcess>();
  readonly orphans: Orphan[] = [];
  kills = 0;
  lastKillAt: number | undefined;

  constructor(
    readonly target: FleetTarget,
    readonly child: FleetChildOptions,
    readonly graph: QueueGraphOptions = { awaitMs: [5, 30] },
  ) {
    this.dir = mkdtempSync(join(target.dir, 'fleet-'));
    this.engine = new Engine({
      store: target.store,
      graph: queueGraph(this.dir, graph),
      leaseTtlMs: child.leaseTtlMs,
    });
  }

  /** Starts a child under `label` and resolves once it is claiming (or sweeping). */
  async start(
    label: string,
    role: WorkerChildRole = 'worker',
    overrides: Partial<WorkerChildConfig> = {},
  ): Promise<WorkerProcess> {
    const p = spawnWorkerChild({
      ...this.child,
      role,
      label,
      storeUrl: this.target.storeUrl,
      dir: this.dir,
      graph: this.graph,
      ...overrides,
    });
    this.processes.push(p);
    this.live.set(label, p);
    await p.waitForLine((l) => l.startsWith('ready '));
    return p;
  }

  /** Records `n` runs (`engine.start`, nothing driven), `perSecond` at most. */
  async submit(n: number, perSecond = Infinity): Promise<string[]> {
    const ids: string[] = [];
    const t0 = Date.now();
    for (let i = 0; i < n; i++) {
      const due = t0 + (i * 1000) / perSecond;
      if (due > Date.now()) await sleep(due - Date.now());
      ids.push(await this.engine.start({ order: i }));
    }
    return ids;
  }

  /**
   * SIGKILLs the child under `label` and restarts it (not waiting for it to be ready); the runs
   * whose lease it held become orphans, watched by `watchOrphans`.
   */
  async killAndRestart(label: string): Promise<void> {
    const victim = this.live.get(label);
    if (!victim) return;
    const killedAt = await killChild(victim);
    this.kills += 1;
    this.lastKillAt = killedAt;
    this.live.delete(label);
    for (const r of await queueRuns(this.target.store, ['pending', 'running']))
      if (r.leaseOwner === victim.owner)
        this.orphans.push({
          runId: r.runId,
          deadOwner: victim.owner,
          killedAt,
          expiresAt: r.leaseExpiresAtMs ?? killedAt,
        });
    void this.start(label).catch(() => undefined); // a restart killed while booting is fine
  }

  /** How many runs could be claimed (unleased, or their lease expired), sampled by `tick`. */
  readonly queueSamples: Array<{ at: number; claimable: number }> = [];

  async sampleQueue(): Promise<number> {
    const at = Date.now();
    const runs = await queueRuns(this.target.store, ['pending', 'running']);
    const claimable = runs.filter((r) => r.leaseOwner === null || (r.leaseExpiresAtMs ?? 0) <= at).length;
    this.queueSamples.push({ at, claimable });
    return claimable;
  }

  /** Marks orphans another owner now holds (or that ended or parked). */
  async watchOrphans(): Promise<void> {
    for (const o of this.orphans.filter((x) => x.resumedAt === undefined)) {
      const r = await this.target.store.getRun(o.runId);
      if (!r || r.leaseOwner !== o.deadOwner || isTerminal(r.status) || r.status === 'waiting_on_human')
        o.resumedAt = Date.now();
    }
  }

  private lastSettle = 0;

  /**
   * One look around: orphans taken over, and (every 100 ms) the operator settles parked runs.
   * A retryable store error (this process's connection was terminated too) waits for the next.
   */
  async tick(): Promise<void> {
    try {
      await this.watchOrphans();
      if (Date.now() - this.lastSettle < 100) return;
      this.lastSettle = Date.now();
      await settleParkedRuns(this.engine, this.dir, this.operator);
      await this.sampleQueue();
    } catch (error) {
      if (!(error instanceof KestrionError && error.retryable)) throw error;
    }
  }

  /** Ticks until every run of `runIds` has ended; resolves with the time the last one had. */
  async waitForAll(runIds: string[], timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let lastCheck = 0;
    for (;;) {
      await this.tick();
      if (Date.now() - lastCheck >= 50) {
        lastCheck = Date.now();
        const open = await queueRuns(this.target.store, ['pending', 'running', 'waiting_on_human']).then(
          (runs) => runs.length,
          (error: unknown) => (error instanceof KestrionError && error.retryable ? 1 : Promise.reject(error)),
        );
        if (open === 0) {
          const ended = await Promise.all(runIds.map((id) => this.target.store.getRun(id)));
          if (ended.every((r) => r && isTerminal(r.status))) return lastCheck;
        }
      }
      if (Date.now() > deadline) throw new Error(`runs still open after ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  /** SIGTERMs one child and resolves with how (and when) it exited. */
  terminate(p: WorkerProcess): WorkerProcess['exited'] {
    for (const [label, q] of this.live) if (q === p) this.live.delete(label);
    p.child.kill('SIGTERM');
    return p.exited;
  }

  /**
   * SIGTERMs every live child (a graceful stop; one still starting is waited for first) and
   * resolves with how each exited.
   */
  async stopAll(): Promise<Array<{ code: number | null; signal: NodeJS.Signals | null }>> {
    const live = [...this.live.values()];
    this.live.clear();
    await Promise.all(live.map((p) => p.waitForLine((l) => l.startsWith('ready ')).catch(() => undefined)));
    for (const p of live) p.child.kill('SIGTERM');
    return Promise.all(live.map((p) => p.exited.then(({ code, signal }) => ({ code, signal }))));
  }

  /** A live worker holding at least one lease now (any live one when none does). */
  async busyWorker(): Promise<string | undefined> {
    const owners = new Set((await queueRuns(this.target.store, ['running'])).map((r) => r.leaseOwner));
    const labels = [...this.live.keys()];
    const busy = labels.filter((l) => owners.has(this.live.get(l)?.owner ?? null));
    const pool = busy.length > 0 ? busy : labels;
    return pool[Math.floor(Math.random() * pool.length)];
  }

  /** SIGKILLs whatever is still running (cleanup after a failed test). */
  killAll(): void {
    for (const p of this.processes)
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  }

  async evidence(runIds: string[]): Promise<RunEvidence[]> {
    return Promise.all(
      runIds.map(async (runId) => {
        const { state, log } = await readRun(this.target.store, runId);
        return { runId, status: state.status, log, effects: runLedger(this.dir, runId).entries() };
      }),
    );
  }

  /** Lease exclusivity and fencing from the journals; effects once from the ledgers and logs. */
  async problems(runIds: string[]): Promise<FleetProblems> {
    const journal = readJournals(this.dir);
    return {
      leases: leaseProblems(journal),
      fencing: fencingProblems(journal),
      effects: effectProblems(await this.evidence(runIds)),
    };
  }

  /** Errors the children reported, by `<name> <code>`. */
  childErrors(): Record<string, number> {
    const all: Record<string, number> = {};
    for (const p of this.processes)
      for (const [k, n] of Object.entries(childErrors(p))) all[k] = (all[k] ?? 0) + n;
    return all;
  }
}
