import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine, type RunRecord, type RunState, type StoredEvent } from '@kestrion/core';
import { openStore } from '@kestrion/store';
import { EffectLedger, type LedgerEntry } from './effect-ledger';
import { type CrashTarget, readRun } from './crash-harness';
import type {
  ChildRunResult,
  CrashChildConfig,
  CrashChildReport,
  PrepareBeforeEffect,
} from './crash-protocol';
import { runCrashChild, spawnCrashChild } from './crash-process';
import { type CrashScenarioName, crashScenario } from './crash-scenario';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface TrialRun {
  runId: string;
  ledger: EffectLedger;
  base: Omit<CrashChildConfig, 'mode'>;
}

function newTrial(target: CrashTarget, scenario: CrashScenarioName, label: string): TrialRun {
  const runId = `${label}-${randomBytes(6).toString('hex')}`;
  const ledger = new EffectLedger(join(target.dir, `${runId}.jsonl`));
  const base = {
    storeUrl: target.storeUrl,
    scenario,
    ledger: ledger.path,
    leaseTtlMs: target.leaseTtlMs ?? 400,
    runIds: [runId],
    newRunId: runId,
  };
  return { runId, ledger, base };
}

/** Starts runs of a scenario from this process (only `run.started` is written). */
async function startRuns(target: CrashTarget, scenario: CrashScenarioName, runIds: string[]): Promise<void> {
  const { graph } = crashScenario(scenario, new EffectLedger(join(target.dir, 'unused.jsonl')));
  const engine = new Engine({ store: target.store, graph });
  for (const runId of runIds) await engine.start('scale web', { runId });
}

export interface AmbiguousTrial {
  runId: string;
  killed: boolean;
  /** What a fresh process's resume returned after the crash. */
  parked: ChildRunResult | undefined;
  /** Invocations of the tool (applied or not) when the run parked, and at the end. */
  invocationsAtPark: number;
  invocationsAtEnd: number;
  decisions: CrashChildReport['decisions'];
  state: RunState;
  log: StoredEvent[];
  effects: LedgerEntry[];
}

/**
 * The ambiguous window: SIGKILL inside a non-idempotent tool after its effect, before its
 * result is recorded; a fresh process resumes (it must park `outcome_unknown`), then a person
 * who checks the ledger supplies the result and the run finishes.
 */
export async function ambiguousTrial(target: CrashTarget, tool: 'notify' | 'apply'): Promise<AmbiguousTrial> {
  const t = newTrial(target, 'ops', 'ambiguous');
  let killed = false;
  for (const mode of ['run', 'approve'] as const) {
    if (!killed) killed = (await runCrashChild({ ...t.base, mode, killInsideTool: tool })).killed;
  }
  const invocations = () => t.ledger.entries().filter((e) => e.kind === 'tool' && e.name === tool).length;
  const parked = (await runCrashChild({ ...t.base, mode: 'resume' })).report?.results[0];
  const invocationsAtPark = invocations();
  const finish = await runCrashChild({ ...t.base, mode: 'finish' });
  const { state, log } = await readRun(target.store, t.runId);
  const decisions = finish.report?.decisions ?? { approved: 0, retried: 0, supplied: 0 };
  return {
    runId: t.runId,
    killed,
    parked,
    invocationsAtPark,
    invocationsAtEnd: invocations(),
    decisions,
    state,
    log,
    effects: t.ledger.entries(),
  };
}

export interface RaceTrial {
  runId: string;
  reports: CrashChildReport[];
  state: RunState;
  effects: LedgerEntry[];
}

/**
 * N processes resume the same fresh run at the same moment (released together on stdin);
 * the first tool is slow, so the winner holds the lease while the others try.
 */
export async function racingResumers(target: CrashTarget, n: number): Promise<RaceTrial> {
  const t = newTrial(target, 'ops-auto', `race${n}`);
  await startRuns(target, 'ops-auto', [t.runId]);
  const kids = Array.from({ length: n }, () =>
    spawnCrashChild({
      ...t.base,
      mode: 'resume',
      busyWaitMs: 0,
      waitForGo: true,
      slowTool: { name: 'read_state', ms: 1000 },
    }),
  );
  await Promise.all(kids.map((k) => k.waitForLine((l) => l === 'ready')));
  for (const k of kids) k.child.stdin!.write('go\n');
  const exits = await Promise.all(kids.map((k) => k.exited));
  if (exits.some((e) => e.code !== 0))
    throw new Error(`a racing resumer failed: ${kids.map((k) => k.stderr()).join('\n')}`);
  const { state } = await readRun(target.store, t.runId);
  return { runId: t.runId, reports: kids.map((k) => k.report()), state, effects: t.ledger.entries() };
}

export interface ZombieTrial {
  runId: string;
  zombiePid: number;
  zombie: ChildRunResult | undefined;
  /** The log when the takeover had finished, and after the zombie woke and exited. */
  logAtTakeover: StoredEvent[];
  logAtEnd: StoredEvent[];
  /** Ledger lines written by the zombie after it was paused. */
  zombieEffectsAfterPause: LedgerEntry[];
  state: RunState;
  effects: LedgerEntry[];
  takeover: CrashChildReport | undefined;
}

function isStopped(pid: number): boolean {
  // /proc/<pid>/stat: "pid (comm) S ...", state T when stopped.
  return /\) T /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/**
 * A zombie worker: the lease holder is SIGSTOPped (inside a slow tool, or right after the
 * append of `stopAfterEvent`), a fresh process takes the run over once the lease expired and
 * finishes it (deciding an unknown outcome from the ledger if it parks), then SIGCONT.
 */
export async function zombieTrial(
  target: CrashTarget,
  at: { insideTool: string } | { stopAfterEvent: number } | { beforeEffect: PrepareBeforeEffect },
): Promise<ZombieTrial> {
  const t = newTrial(target, 'ops-auto', 'zombie');
  await startRuns(target, 'ops-auto', [t.runId]);
  const zombie = spawnCrashChild({
    ...t.base,
    mode: 'resume',
    ...('insideTool' in at
      ? { slowTool: { name: at.insideTool, ms: 3000 }, announceTools: true }
      : 'beforeEffect' in at
        ? { prepareBeforeEffect: at.beforeEffect }
        : { stopAfterEvent: at.stopAfterEvent }),
  });
  if ('insideTool' in at) {
    await zombie.waitForLine((l) => l === `in-tool ${at.insideTool}`);
    zombie.child.kill('SIGSTOP');
  } else if ('beforeEffect' in at) {
    await zombie.waitForLine((l) => l === `preparing ${at.beforeEffect.name}`);
    zombie.child.kill('SIGSTOP');
  } else await zombie.waitForLine((l) => l.startsWith('stopping'));
  while (!isStopped(zombie.pid)) await sleep(5);
  const pausedAt = t.ledger.entries().length;
  await sleep((target.leaseTtlMs ?? 400) + 300);
  const takeover = await runCrashChild({ ...t.base, mode: 'finish' });
  const { log: logAtTakeover } = await readRun(target.store, t.runId);
  zombie.child.kill('SIGCONT');
  const exit = await zombie.exited;
  if (exit.code !== 0) throw new Error(`the zombie crashed: ${zombie.stderr()}`);
  const { state, log: logAtEnd } = await readRun(target.store, t.runId);
  const effects = t.ledger.entries();
  return {
    runId: t.runId,
    zombiePid: zombie.pid,
    zombie: zombie.report().results[0],
    logAtTakeover,
    logAtEnd,
    zombieEffectsAfterPause: effects.slice(pausedAt).filter((e) => e.pid === zombie.pid),
    state,
    effects,
    takeover: takeover.report,
  };
}

export interface SweepTrial {
  runIds: string[];
  owner: CrashChildReport;
  sweepers: CrashChildReport[];
  states: RunState[];
  effects: LedgerEntry[];
}

/** One live owner drives `runs` fresh runs in turn while two processes sweep with `recoverRuns(engine)`. */
export async function sweepRace(target: CrashTarget, runs: number): Promise<SweepTrial> {
  const t = newTrial(target, 'ops-auto', 'sweep');
  const runIds = Array.from({ length: runs }, (_, i) => `${t.runId}-${i}`);
  await startRuns(target, 'ops-auto', runIds);
  const common = { ...t.base, runIds, waitForGo: true, slowTool: { name: 'read_state', ms: 150 } };
  const owner = spawnCrashChild({ ...common, mode: 'resume', busyWaitMs: 0 });
  const sweepers = [0, 1].map(() => spawnCrashChild({ ...common, mode: 'recover', busyWaitMs: 30_000 }));
  const all = [owner, ...sweepers];
  await Promise.all(all.map((k) => k.waitForLine((l) => l === 'ready')));
  for (const k of all) k.child.stdin!.write('go\n');
  const exits = await Promise.all(all.map((k) => k.exited));
  if (exits.some((e) => e.code !== 0)) throw new Error(all.map((k) => k.stderr()).join('\n'));
  const states = await Promise.all(runIds.map(async (id) => (await readRun(target.store, id)).state));
  return {
    runIds,
    owner: owner.report(),
    sweepers: sweepers.map((s) => s.report()),
    states,
    effects: t.ledger.entries(),
  };
}

export interface AcceptedTrial {
  runId: string;
  killed: boolean;
  /** What a fresh reader sees right after the kill. */
  record: RunRecord | undefined;
  eventsAfterKill: StoredEvent[];
  recovered: CrashChildReport | undefined;
  state: RunState;
  effects: LedgerEntry[];
}

/** SIGKILL right after `engine.start()` resolved; the run must exist and `recoverRuns` drive it. */
export async function acceptedRunTrial(target: CrashTarget): Promise<AcceptedTrial> {
  const t = newTrial(target, 'ops-auto', 'accepted');
  const { killed } = await runCrashChild({ ...t.base, mode: 'start' });
  const record = await target.store.getRun(t.runId);
  const { log: eventsAfterKill } = await readRun(target.store, t.runId);
  const recovered = (await runCrashChild({ ...t.base, mode: 'recover' })).report;
  const { state } = await readRun(target.store, t.runId);
  return { runId: t.runId, killed, record, eventsAfterKill, recovered, state, effects: t.ledger.entries() };
}

export interface DurableAppendTrial {
  /** Seqs the killed processes printed after their append resolved. */
  printed: number[];
  /** Seqs a freshly opened store reads back. */
  stored: number[];
}

/** A process appends and prints each resolved seq; SIGKILLed `rounds` times at random moments. */
export async function durableAppendTrial(target: CrashTarget, rounds: number): Promise<DurableAppendTrial> {
  const t = newTrial(target, 'ops-auto', 'durable');
  await startRuns(target, 'ops-auto', [t.runId]);
  const printed: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const before = printed.length;
    const k = spawnCrashChild({ ...t.base, mode: 'append' });
    const seqs = () => [...k.stdout().matchAll(/appended (\d+)/g)].map((m) => Number(m[1]));
    await k.waitForLine(() => seqs().length >= 20);
    await sleep(Math.floor(Math.random() * 30));
    k.child.kill('SIGKILL');
    await k.exited;
    printed.push(...seqs());
    if (printed.length === before) throw new Error('the appending process printed nothing');
  }
  const fresh = await openStore(target.storeUrl);
  try {
    const stored: number[] = [];
    for await (const e of fresh.readEvents(t.runId)) stored.push(e.seq);
    return { printed, stored };
  } finally {
    await fresh.close();
  }
}
