import { entriesOf, readJournals } from './journal-store';
import { type FleetProblems, type FleetTarget, Fleet, type Orphan } from './worker-fleet';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface QueueTrialOptions {
  runs: number;
  /** Worker processes (each restarted at once when killed). */
  workers: number;
  /** Runs each worker drives at once. */
  concurrency: number;
  leaseTtlMs: number;
  idlePoll: { minMs: number; maxMs: number };
  /** The producer records this many runs per second (`engine.start`). */
  submitPerSecond: number;
  /**
   * While runs are being submitted, every [min, max] ms a worker is SIGKILLed: a random one of
   * those holding a lease at that moment, so that every kill leaves runs to take over.
   */
  killEveryMs: [number, number];
  /** Time the whole trial may take before it fails. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface QueueTrialReport {
  runs: number;
  completed: number;
  kills: number;
  processes: number;
  durationMs: number;
  /** Calls whose outcome a kill left unknown: parked runs, and what the operator decided. */
  parkedRuns: number;
  /** `tool.outcome_unknown` events in the logs: each needed a person's decision. */
  unknownOutcomes: number;
  supplied: number;
  retried: number;
  /** `lookup` invocations that found their key done (re-runs of an idempotent call after a kill). */
  idempotentReruns: number;
  /** Runs a killed worker held, and the longest any waited (from the kill) for another to take it. */
  orphans: number;
  maxOrphanWaitMs: number;
  /**
   * The longest an orphan waited once its lease had expired and the queue was short (no more
   * claimable runs than one worker's slots): what polling and claiming add to the TTL.
   */
  maxWaitPastExpiryMs: number;
  /** Orphans that, once expired, waited behind a longer queue (the workers were saturated). */
  queuedOrphans: number;
  /** The longest queue of claimable runs sampled (every 100 ms). */
  maxClaimable: number;
  /** From the last kill until every run had ended (kills stop once production is over and the queue short). */
  lastKillToDoneMs: number;
  /**
   * Claimable runs sampled last before the last kill: when more than one worker's slots, the
   * workers were saturated (an overloaded machine) and `lastKillToDoneMs` includes draining them.
   */
  queueAtLastKill: number;
  /** Orphans that waited longer than `stuckBoundMs` past expiry with a short queue. */
  stuck: string[];
  /** Idle poll max + 1 s margin: the bound on waiting past expiry (so TTL + this from the kill). */
  stuckBoundMs: number;
  ttlMs: number;
  problems: FleetProblems;
  /** How the workers left at the end, on SIGTERM (each must exit 0). */
  exits: Array<{ code: number | null; signal: NodeJS.Signals | null }>;
  childErrors: Record<string, number>;
}

/**
 * A queue under kills (issue 14 §5; the queue item of the reliability list): `workers` worker processes (`Worker`, `concurrency`
 * runs each) drive runs a producer records at a steady rate; while it does (and until the queue
 * is short again), every `killEveryMs` a worker holding leases is SIGKILLed and restarted at
 * once. Runs a kill leaves `outcome_unknown` are settled by the operator from the ledger. Then:
 * every run completed, each effect once, no lease granted while another was live, the log's
 * fencing held, and every run a dead worker held was taken over within its lease's expiry plus
 * the idle poll (unless it waited its turn behind a longer queue, which is counted apart).
 */
export async function queueUnderKills(
  target: FleetTarget,
  opts: QueueTrialOptions,
): Promise<QueueTrialReport> {
  const t0 = Date.now();
  const fleet = new Fleet(target, {
    leaseTtlMs: opts.leaseTtlMs,
    concurrency: opts.concurrency,
    idlePoll: opts.idlePoll,
  });
  const labels = Array.from({ length: opts.workers }, (_, i) => `w${i}`);
  const short = (claimable: number) => claimable <= opts.concurrency;
  try {
    await Promise.all(labels.map((l) => fleet.start(l)));
    let producing = true;
    let producedAt = Infinity;
    const produced = fleet.submit(opts.runs, opts.submitPerSecond).finally(() => {
      producing = false;
      producedAt = Date.now();
    });
    // Kills go on while runs are produced, then until the queue is short (but 10 s at most).
    const killing = () =>
      producing ||
      (Date.now() < producedAt + 10_000 && !short(fleet.queueSamples.at(-1)?.claimable ?? Infinity));
    const killer = (async () => {
      const [min, max] = opts.killEveryMs;
      for (;;) {
        const at = Date.now() + min + Math.random() * (max - min);
        while (Date.now() < at && killing()) await sleep(20);
        if (!killing()) return;
        const label = await fleet.busyWorker();
        if (label) await fleet.killAndRestart(label);
        opts.log?.(`killed ${label} (${fleet.kills} kills, ${fleet.orphans.length} orphans so far)`);
      }
    })();
    const monitor = (async () => {
      while (killing()) {
        await fleet.tick();
        await sleep(20);
      }
    })();
    const runIds = await produced;
    await Promise.all([killer, monitor]);
    // A trial that never ends is reported with what it shows (the runs left open among it).
    let waitError: string | undefined;
    const doneAt = await fleet.waitForAll(runIds, opts.timeoutMs ?? 60_000).catch((error: unknown) => {
      waitError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return Infinity;
    });
    const exits = await fleet.stopAll();
    const problems = await fleet.problems(runIds);
    const evidence = await fleet.evidence(runIds);

    // When another process was granted each orphan (its journal), else when this one saw it move.
    const claims = entriesOf(readJournals(fleet.dir), 'claim');
    const takenOver = (o: Orphan) =>
      Math.min(
        o.resumedAt ?? Infinity,
        ...claims
          .filter((c) => c.run === o.runId && c.owner !== o.deadOwner && c.t1 > o.killedAt)
          .map((c) => c.t1),
      );
    // An orphan's wait is counted from its lease's expiry, or from the first moment after it
    // that the queue was short (sampled); one that never saw a short queue before it was taken
    // over waited its turn behind a longer one. One never taken over is stuck, queue or not.
    const bound = opts.idlePoll.maxMs + 1_000;
    const measured = fleet.orphans.flatMap((o) => {
      const expired = Math.max(o.killedAt, o.expiresAt);
      const taken = takenOver(o);
      const samples = fleet.queueSamples.filter((q) => q.at >= expired && q.at <= taken);
      const from =
        samples.length === 0 || short(samples[0]!.claimable) || taken === Infinity
          ? expired
          : samples.find((q) => short(q.claimable))?.at;
      return from === undefined ? [] : [{ o, wait: taken - from }];
    });
    return {
      runs: runIds.length,
      completed: evidence.filter((r) => r.status === 'completed').length,
      kills: fleet.kills,
      processes: fleet.processes.length,
      durationMs: Date.now() - t0,
      parkedRuns: fleet.operator.parkedRuns.length,
      unknownOutcomes: evidence.flatMap((r) => r.log).filter((e) => e.type === 'tool.outcome_unknown').length,
      supplied: fleet.operator.supplied,
      retried: fleet.operator.retried,
      idempotentReruns: evidence.flatMap((r) => r.effects).filter((e) => e.name === 'lookup' && !e.applied)
        .length,
      orphans: fleet.orphans.length,
      maxOrphanWaitMs: Math.max(0, ...fleet.orphans.map((o) => takenOver(o) - o.killedAt)),
      maxWaitPastExpiryMs: Math.max(0, ...measured.map((m) => m.wait)),
      queuedOrphans: fleet.orphans.filter((o) => !measured.some((m) => m.o === o)).length,
      maxClaimable: Math.max(0, ...fleet.queueSamples.map((q) => q.claimable)),
      lastKillToDoneMs: doneAt - (fleet.lastKillAt ?? t0),
      queueAtLastKill:
        fleet.queueSamples.filter((q) => q.at <= (fleet.lastKillAt ?? t0)).at(-1)?.claimable ?? 0,
      stuck: measured
        .filter((m) => m.wait > bound)
        .map(
          (m) =>
            `${m.o.runId} (held by ${m.o.deadOwner}) waited ${m.wait} ms past its expiry with a short queue`,
        ),
      stuckBoundMs: bound,
      ttlMs: opts.leaseTtlMs,
      problems: waitError ? { ...problems, effects: [...problems.effects, waitError] } : problems,
      exits,
      childErrors: fleet.childErrors(),
    };
  } finally {
    fleet.killAll();
  }
}

/**
 * How long the runs may take to end after the last kill: its orphans' TTL, the poll, and a
 * second for a park to be settled and driven — unless the workers were saturated then (a queue
 * longer than one worker's slots), when it is the time to drain them (no bound but the timeout).
 */
export function lastKillBoundMs(r: QueueTrialReport, concurrency = 8): number {
  return r.queueAtLastKill > concurrency ? Infinity : r.ttlMs + r.stuckBoundMs + 1_000;
}

/** Everything a queue trial must not show (empty: it passed). */
export function queueTrialProblems(r: QueueTrialReport, minKills = 1): string[] {
  return [
    ...(r.completed !== r.runs ? [`${r.runs - r.completed} of ${r.runs} runs did not complete`] : []),
    ...(r.kills < minKills ? [`only ${r.kills} kills`] : []),
    ...(r.supplied + r.retried !== r.unknownOutcomes
      ? [`${r.unknownOutcomes} unknown outcomes, ${r.supplied + r.retried} decisions`]
      : []),
    ...(r.lastKillToDoneMs > lastKillBoundMs(r)
      ? [`${r.lastKillToDoneMs} ms from the last kill to done`]
      : []),
    ...r.stuck,
    ...r.problems.leases,
    ...r.problems.fencing,
    ...r.problems.effects,
    ...r.exits.filter((e) => e.code !== 0).map((e) => `a worker exited ${e.code ?? e.signal} on SIGTERM`),
  ];
}

/** The figures of a queue trial in one line. */
export function queueTrialSummary(r: QueueTrialReport): string {
  return (
    `${r.completed}/${r.runs} runs completed in ${(r.durationMs / 1000).toFixed(1)} s; ${r.kills} kills ` +
    `(${r.processes} processes); ${r.orphans} runs held by a killed worker, taken over after at most ` +
    `${r.maxOrphanWaitMs} ms (TTL ${r.ttlMs} ms; at most ${r.maxWaitPastExpiryMs} ms past the expiry with a short queue, ` +
    `bound ${r.stuckBoundMs} ms; ${r.queuedOrphans} waited behind a longer queue, longest ${r.maxClaimable}); ` +
    `${r.lastKillToDoneMs} ms from the last kill to done (queue then: ${r.queueAtLastKill}); ${r.unknownOutcomes} unknown outcomes settled by the ` +
    `operator (${r.supplied} supplied from the ledger, ${r.retried} retried); ${r.idempotentReruns} idempotent re-runs`
  );
}
