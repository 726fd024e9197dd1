import { hostname } from 'node:os';
import {
  type ApproveInput,
  decideApproval,
  decideOutcome,
  decideRejection,
  type OutcomeDecision,
  type RejectInput,
} from '../approvals/decisions';
import { assertValidPolicy } from '../approvals/approval-policy';
import { assertIdentity, assertOptionalText } from '../approvals/decision-input';
import {
  AgentMismatchError,
  ConcurrencyError,
  RunBusyError,
  RunEndedError,
  RunNotFoundError,
} from '../errors';
import { type Clock, isoAt, systemClock } from '../ports/clock';
import { type IdGenerator, randomIds, timeOrderedIds } from '../ports/ids';
import type { Provider } from '../providers/provider';

import { foldEvents } from '../state/fold';
import { isTerminal, type RunState, type ToolCallState } from '../state/run-state';
import { type LoadWarningHandler, loadRunState } from '../store/load-run';
import type { Lease, RunRecord, Store } from '../store/store';
import { assertValidRunMetadata, type RunMetadata } from '../store/run-metadata';
import type { Json, JsonObject } from '../util/json';
import type { NewEvent, StoredEvent } from '../events/envelope';
import { type ReplayReport, replayRun } from './replay';
import { type RunTrace, traceRun } from '../trace/run-trace';
import { RunStateError } from './engine-errors';
import type { Graph } from './graph';
import { LeaseKeeper } from './lease-keeper';
import { type DriverDeps, RunDriver, type RunLimits } from './run-driver';
import { RunStateCache } from './run-state-cache';
import { type RunView, toRunView } from './run-view';
import { type Draft, type RunObserver, RunWriter } from './run-writer';
import type { ArgsValidator, ToolDefinition } from './tool-definition';
import { checkedScheduling, type SchedulingOptions } from './scheduling-options';

export interface EngineOptions {
  store: Store;
  graph: Graph;
  /** Recorded in `run.started` and the runs table (default: the graph's name). */
  agent?: string;
  provider?: Provider;
  /** JSON-Schema validation of tool arguments (e.g. `ajvValidator()` from @kestrion/agent). */
  validate?: ArgsValidator;
  clock?: Clock;
  ids?: IdGenerator;
  /** This process's identity in leases (default: host:pid:random). */
  owner?: string;
  leaseTtlMs?: number;
  /** Snapshot every this many events (and at every park). Default 250. */
  snapshotEvery?: number;
  limits?: RunLimits;
  /**
   * Told when a run was loaded around a problem (a snapshot that could not be used, so the
   * run was folded from its log): `CorruptSnapshotError`. Default: `process.emitWarning`.
   */
  onWarning?: LoadWarningHandler;
}

/**
 * How `start` records a run. `priority` and `concurrencyKey` (see `SchedulingOptions`) say how
 * workers claim it; they matter to runs left for a worker (`start`, the engine's submit).
 */
export interface StartOptions extends SchedulingOptions {
  runId?: string;
  parentRunId?: string;
  /** Free JSON recorded in `run.started`; nothing reads it back. */
  meta?: JsonObject;
  /**
   * Labels to list runs by (`{ tenant: 'acme', user: 'u1' }`): recorded in `run.started`, kept
   * in the runs projection, filterable with `store.listRuns({ metadata })`. String keys to
   * string values, bounded (`InvalidRunMetadataError` names the entry and the fix).
   */
  metadata?: RunMetadata;
}

/** How `Engine.drive` may be asked to stop early. */
export interface DriveOptions {
  /**
   * A graceful stop (a worker shutting down): once aborted, the node in flight finishes, its
   * transition is committed, no further node starts, and the lease is released — the run stays
   * runnable and the next claim continues exactly there. A node that never returns is not
   * stopped by this; a shutdown deadline is the caller's (exit, and the lease lapses).
   */
  stopBetweenSteps?: AbortSignal;
}

const DECISION_RETRIES = 5;

/**
 * The durable engine: starts runs of a graph, drives them while holding a lease, and takes
 * decisions (approve, reject, outcome of interrupted calls, cancel) from any process.
 * Everything it knows about a run it reads from the run's log.
 */
export class Engine {
  /** The store this engine reads and writes (a worker claims this engine's runs from it). */
  readonly store: Store;
  /** The clock leases and deadlines are measured by (a claim's `now` comes from it). */
  readonly clock: Clock;
  private readonly ids: IdGenerator;
  private readonly tools: Map<string, ToolDefinition>;
  readonly owner: string;
  /** The agent name recorded in this engine's runs: a worker claims with `agents: [engine.agent]`. */
  readonly agent: string;
  /** The TTL of the leases this engine takes (and renews every third of it). */
  readonly leaseTtlMs: number;
  private readonly snapshotEvery: number;
  private readonly deps: DriverDeps;
  /** Runs this engine is driving now: a second resume in the same process is busy too. */
  private readonly driving = new Set<string>();
  private readonly states = new RunStateCache();

  constructor(private readonly options: EngineOptions) {
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.ids = options.ids ?? timeOrderedIds(this.clock);
    this.tools = new Map((options.graph.tools ?? []).map((t) => [t.name, t]));
    // A static approval policy that is not a requirement fails here, not when a call is gated.
    for (const t of this.tools.values()) assertValidPolicy(t);
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomIds.newId().slice(0, 8)}`;
    this.agent = options.agent ?? options.graph.name;
    this.leaseTtlMs = options.leaseTtlMs ?? 30_000;
    this.snapshotEvery = options.snapshotEvery ?? 250;
    this.deps = {
      graph: options.graph,
      tools: this.tools,
      store: this.store,
      provider: options.provider,
      validate: options.validate,
      clock: this.clock,
      ids: this.ids,
      limits: options.limits ?? {},
    };
  }

  /**
   * Records `run.started` and returns the id: once this resolves, the run exists. Nothing drives
   * it here — this is the engine's submit: a worker (`@kestrion/scheduler`) claims it, or a
   * later `resume` drives it.
   */
  async start(input: Json, opts: StartOptions = {}, observer?: RunObserver): Promise<string> {
    return (await this.submit(input, opts, observer)).runId;
  }

  /** `start`, returning the events it appended too. */
  private async submit(
    input: Json,
    opts: StartOptions,
    observer: RunObserver | undefined,
  ): Promise<{ runId: string; events: StoredEvent[] }> {
    const runId = opts.runId ?? this.ids.newId('run');
    // The store checks it too; checked here as well so that any Store gets the same refusal.
    if (opts.metadata !== undefined) assertValidRunMetadata(runId, opts.metadata);
    const scheduling = checkedScheduling(opts);
    const limits = this.options.limits as JsonObject | undefined;
    const { events } = await this.store.append(runId, 0, [
      {
        id: this.ids.newId('evt'),
        type: 'run.started',
        at: isoAt(this.clock),
        data: {
          agent: this.agent,
          input,
          ...(opts.parentRunId ? { parentRunId: opts.parentRunId } : {}),
          ...(limits ? { limits } : {}),
          ...(opts.meta ? { meta: opts.meta } : {}),
          ...(opts.metadata && Object.keys(opts.metadata).length > 0 ? { metadata: opts.metadata } : {}),
          ...scheduling,
        },
      },
    ]);
    // An observer sees every event of the run, its first included.
    observer?.onEvents?.(events);
    return { runId, events };
  }

  /**
   * Starts a run and drives it until it completes, fails or parks. The drive starts from the
   * state folded from the `run.started` just appended, not from a read of the log: the lease it
   * takes proves that state is still the head (as for any state the engine remembers).
   */
  async run(input: Json, opts: StartOptions = {}, observer?: RunObserver): Promise<RunView> {
    const { runId, events } = await this.submit(input, opts, observer);
    return this.resumeFrom(runId, observer, foldEvents(undefined, events));
  }

  /**
   * Drives a run from wherever its log says it is. A run with nothing to do (ended, or parked
   * with nothing to act on) is returned as it is, with no lease taken and nothing written.
   * Otherwise throws RunBusyError (having made no call) when another process holds a live lease.
   * A run throttled by its provider quota (`run.throttled`) is waited out here, with no lease
   * held while waiting, and driven on at its time.
   */
  async resume(runId: string, observer?: RunObserver): Promise<RunView> {
    return this.resumeFrom(runId, observer, undefined);
  }

  /** `resume`, from `known` (a state whose events are durable, still to be proven) if given. */
  private async resumeFrom(
    runId: string,
    observer: RunObserver | undefined,
    known: RunState | undefined,
  ): Promise<RunView> {
    let first = known;
    if (this.driving.has(runId))
      throw new RunBusyError(runId, this.owner, this.clock.now() + this.leaseTtlMs);
    this.driving.add(runId);
    try {
      for (;;) {
        const view = await this.driveOnce(runId, observer, first);
        first = undefined;
        // A caller of resume waits out a provider quota here, holding no lease meanwhile; a
        // worker's drive() returns at once instead, and the run is due again at its time.
        const throttled = view.throttled;
        if (throttled === undefined) return view;
        await new Promise((r) => setTimeout(r, Math.max(1, throttled.untilMs - this.clock.now())));
      }
    } finally {
      this.driving.delete(runId);
    }
  }

  private async driveOnce(runId: string, observer?: RunObserver, known?: RunState): Promise<RunView> {
    // Look before taking the lease: a run with nothing to do (ended, or parked with nothing to
    // act on) is answered from its log and nothing is written, so a resume that only looks
    // never makes another process's resume busy.
    const look = await this.lookBeforeLease(runId, known);
    if (!look.drivable) {
      this.states.remember(look.state);
      return toRunView(look.state);
    }
    const lease = await this.store
      .acquireLease(runId, { owner: this.owner, ttlMs: this.leaseTtlMs, now: this.clock.now() })
      .catch((error: unknown) => (error instanceof RunEndedError ? undefined : Promise.reject(error)));
    if (!lease) {
      // It ended elsewhere since the look (an ended run grants no lease): nothing to drive.
      this.states.forget(runId);
      const ended = await this.load(runId);
      this.states.remember(ended);
      return toRunView(ended);
    }
    // The lease proves the head: the state looked at is used only if nothing moved since.
    const proven = lease.headSeq === look.state.seq && lease.runCreatedAt === look.state.createdAt;
    if (!proven) this.states.forget(runId);
    return this.driveLeased(lease, proven ? look.state : undefined, observer, 'release');
  }

  /**
   * Drives a run under a lease this process already holds — a `Store.claimNext` claim made with
   * `agents: [engine.agent]` — with the semantics of `resume`: until the run ends or parks,
   * and the RunView is returned.
   *
   * The lease is disposed of when `drive` returns: the append that ended the run freed it, or
   * it is released (the run parked, or had nothing to do). When `drive` throws, the lease is
   * left as it is (no longer renewed, not released): it lapses at its expiry, and only then can
   * a claim pick the run again — so a run that cannot be driven (a corrupt log, a store error)
   * is retried once per lease TTL instead of being claimed again at once in a hot loop. Release
   * it yourself (`store.releaseLease`) to hand it on sooner.
   *
   * Refused, with the lease left as it is: a run of another agent (`AgentMismatchError`: claim
   * with `agents`), and a run this engine is driving already (`RunBusyError`).
   */
  async drive(lease: Lease, observer?: RunObserver, options: DriveOptions = {}): Promise<RunView> {
    const runId = lease.runId;
    if (this.driving.has(runId)) throw new RunBusyError(runId, this.owner, lease.expiresAtMs);
    this.driving.add(runId);
    try {
      // The state this engine remembers is used as it is when the lease reports the same head.
      const cached = this.states.copy(runId);
      const state =
        cached && lease.headSeq === cached.seq && lease.runCreatedAt === cached.createdAt
          ? cached
          : await this.load(runId, cached);
      if (state.agent !== this.agent) throw new AgentMismatchError(runId, state.agent, this.agent);
      if (!(await this.drivable(state))) {
        // Claimed, but nothing to do (parked with nothing decided): hand the lease back.
        this.states.remember(state);
        await this.store.releaseLease(lease);
        return toRunView(state);
      }
      return await this.driveLeased(lease, state, observer, 'keep', options);
    } finally {
      this.driving.delete(runId);
    }
  }

  /**
   * Drives a run under `lease`. `state`: the run as proven at the lease's head and known
   * drivable (otherwise it is loaded and checked here). `onError`: whether a throw releases
   * the lease (`resume`) or leaves it to lapse (`drive`).
   */
  private async driveLeased(
    lease: Lease,
    proven: RunState | undefined,
    observer: RunObserver | undefined,
    onError: 'release' | 'keep',
    options: DriveOptions = {},
  ): Promise<RunView> {
    const runId = lease.runId;
    let driver: RunDriver | undefined;
    const keeper = new LeaseKeeper(lease, this.store, this.clock, this.leaseTtlMs, (lost) =>
      driver?.stop(lost),
    );
    let writer: RunWriter | undefined;
    let endedHere = false;
    let returned = false;
    try {
      const state = proven ?? (await this.load(runId));
      writer = new RunWriter(state, this.store, lease, this.clock, this.ids, this.snapshotEvery, observer);
      if (proven || (await this.drivable(state))) {
        driver = new RunDriver(this.deps, writer, keeper, observer, options.stopBetweenSteps);
        await driver.drive(state.status === 'waiting_on_human');
        endedHere = isTerminal(writer.state.status);
      }
      returned = true;
      return toRunView(writer.state);
    } finally {
      this.keepState(runId, writer);
      // The append that ended the run freed the lease with it (Store contract); a run that
      // moved on elsewhere before the lease was taken holds it still, and it is released.
      if (endedHere || (!returned && onError === 'keep')) keeper.stop();
      else await keeper.release();
    }
  }

  /**
   * The run's state and whether a driver has anything to do. A state this engine remembers is
   * taken as it is when it is drivable (the lease will prove its head); otherwise the runs row
   * proves it now, since a parked run may have been decided on elsewhere.
   */
  private async lookBeforeLease(
    runId: string,
    known = this.states.copy(runId),
  ): Promise<{ state: RunState; drivable: boolean }> {
    const cached = known;
    if (cached && (await this.drivable(cached))) return { state: cached, drivable: true };
    const state = await this.load(runId, cached);
    return { state, drivable: await this.drivable(state) };
  }

  async get(runId: string): Promise<RunView> {
    return toRunView(await this.load(runId));
  }

  /**
   * The run's typed timeline, derived from its log: model calls with tokens and cost, tool
   * calls with arguments and outcomes, approvals, waits, and totals equal to the fold's.
   */
  async trace(runId: string): Promise<RunTrace> {
    const events: StoredEvent[] = [];
    for await (const e of this.store.readEvents(runId)) events.push(e);
    if (events.length === 0) throw new RunNotFoundError(runId);
    return traceRun(events);
  }

  approve(runId: string, input: ApproveInput): Promise<RunView> {
    return this.decide(runId, (s) => decideApproval(s, input, this.tools, this.options.validate, this.clock));
  }

  reject(runId: string, input: RejectInput): Promise<RunView> {
    return this.decide(runId, (s) => decideRejection(s, input, this.tools, this.clock));
  }

  /** After an unknown outcome: run the call once more (same idempotency key). */
  retryTool(runId: string, callId: string, by: string): Promise<RunView> {
    return this.decide(runId, (s) => ({ drafts: decideOutcome(s, callId, { kind: 'retry', by }) }));
  }

  /** After an unknown outcome: record what the call did, as checked by a person. */
  supplyToolResult(runId: string, callId: string, result: Json, by: string): Promise<RunView> {
    return this.decide(runId, (s) => ({ drafts: decideOutcome(s, callId, { kind: 'supply', by, result }) }));
  }

  /** After an unknown outcome: record the call as failed. */
  failTool(runId: string, callId: string, reason: string, by: string): Promise<RunView> {
    return this.decide(runId, (s) => ({
      drafts: decideOutcome(s, callId, { kind: 'fail', by, reason } satisfies OutcomeDecision),
    }));
  }

  /** Delivers the next user message (a run waiting for input becomes runnable). */
  send(runId: string, message: Json): Promise<RunView> {
    return this.decide(runId, (s) => {
      if (isTerminal(s.status))
        throw new RunStateError(runId, `has ended (${s.status}); start a new run or fork this one`);
      return { drafts: [{ type: 'run.input', data: { message } }] };
    });
  }

  /**
   * Cancels from any process. A parked or orphaned run is cancelled at once; a run being
   * driven elsewhere is cancelled by its driver at the next step boundary.
   */
  async cancel(runId: string, by: string, reason?: string): Promise<RunView> {
    assertIdentity(by, 'cancel');
    assertOptionalText(reason, 'reason', 'cancel');
    const view = await this.decide(runId, (s) => {
      if (isTerminal(s.status)) return { drafts: [] };
      return {
        drafts: [{ type: 'run.cancel_requested', data: { by, ...(reason !== undefined ? { reason } : {}) } }],
      };
    });
    if (isTerminal(view.status)) return view;
    try {
      return await this.resume(runId);
    } catch (error) {
      if (error instanceof RunBusyError) return this.get(runId);
      throw error;
    }
  }

  /**
   * A new run whose log starts with the source run's first `atSeq` events (copied with new
   * event ids), followed by `run.forked`. Resuming it continues from that point under this
   * engine's code; the source run is untouched.
   *
   * Grants do not travel: an approval authorises one execution of one call in one run. Every
   * gated call of the copied prefix that has a grant but no outcome is listed in `run.forked`
   * (`revokedApprovals`) and asked again when the fork reaches it.
   */
  async fork(runId: string, atSeq: number, opts: { runId?: string } = {}): Promise<string> {
    const head = (await this.store.getRun(runId))?.headSeq;
    if (head === undefined) throw new RunNotFoundError(runId);
    if (!Number.isInteger(atSeq) || atSeq < 1 || atSeq > head)
      throw new RunStateError(runId, `cannot fork at seq ${atSeq}: choose 1..${head}`);
    const newRunId = opts.runId ?? this.ids.newId('run');
    const copied: NewEvent[] = [];
    const prefix: StoredEvent[] = [];
    for await (const e of this.store.readEvents(runId)) {
      if (e.seq > atSeq) break;
      prefix.push(e);
      copied.push({
        id: this.ids.newId('evt'),
        type: e.type,
        v: e.v,
        at: e.at,
        data: e.data,
        ...(e.cost ? { cost: e.cost } : {}),
      });
    }
    const revokedApprovals = grantsWithoutOutcome(foldEvents(undefined, prefix));
    copied.push({
      id: this.ids.newId('evt'),
      type: 'run.forked',
      at: isoAt(this.clock),
      data: { fromRunId: runId, atSeq, ...(revokedApprovals.length > 0 ? { revokedApprovals } : {}) },
    });
    // One append: the fork appears whole or not at all.
    await this.store.append(newRunId, 0, copied);
    return newRunId;
  }

  /**
   * Re-drives a recorded run against this engine's code with model responses and tool results
   * read from the log (no provider call, no side effect), re-applying recorded decisions, and
   * reports the first event where the new code decides differently.
   */
  async replay(runId: string): Promise<ReplayReport> {
    const events: StoredEvent[] = [];
    for await (const e of this.store.readEvents(runId)) events.push(e);
    if (events.length === 0) throw new RunNotFoundError(runId);
    const { graph, validate, agent, limits } = this.options;
    return replayRun(
      events,
      {
        graph,
        ...(validate ? { validate } : {}),
        ...(agent ? { agent } : {}),
        ...(limits ? { limits } : {}),
      },
      (o) => new Engine(o),
    );
  }

  private async drivable(s: RunState): Promise<boolean> {
    if (isTerminal(s.status)) return false;
    if (s.cancelRequested) return true;
    // Throttled (its provider quota was full): nothing to do before its time.
    if (s.throttled !== undefined && s.throttled.untilMs > this.clock.now()) return false;
    if (s.status !== 'waiting_on_human') return true;
    // A parked approval whose deadline passed is driven so the expiry is recorded and acted on.
    const now = this.clock.now();
    const calls = Object.values(s.calls);
    if (
      calls.some(
        (c) => c.status === 'awaiting_approval' && c.deadline !== undefined && Date.parse(c.deadline) <= now,
      )
    )
      return true;
    // A call suspended on another run (a sub-agent) continues once that run is no longer parked.
    for (const c of calls)
      if (
        c.status === 'suspended' &&
        c.waitingOn &&
        (await this.store.getRun(c.waitingOn))?.status !== 'waiting_on_human'
      )
        return true;
    return false;
  }

  /**
   * The run's state: the one this engine remembers (`cached`, if already copied) when the runs
   * row proves its head unchanged, otherwise folded from the newest snapshot and the tail.
   *
   * `fencedByAppend`: the caller appends at the state's head next, so a state folded from the
   * log needs no runs-row read first (see LoadRunOptions). A remembered state is proven by the
   * row regardless: its createdAt tells a run purged and started again under the same id at the
   * same head, which a fence on the seq alone would not.
   */
  private async load(
    runId: string,
    cached = this.states.copy(runId),
    fencedByAppend = false,
  ): Promise<RunState> {
    let record: RunRecord | null | undefined;
    if (cached) {
      record = (await this.store.getRun(runId)) ?? null;
      if (record && record.headSeq === cached.seq && record.createdAt === cached.createdAt) return cached;
      this.states.forget(runId);
    }
    // The row read above (if any) checks the log's head; a snapshot that cannot be used is
    // reported to onWarning and the log folded instead.
    const state = await loadRunState(this.store, runId, {
      ...(record !== undefined ? { record } : fencedByAppend ? { fencedByAppend } : {}),
      ...(this.options.onWarning ? { onWarning: this.options.onWarning } : {}),
    });
    if (!state) throw new RunNotFoundError(runId);
    return state;
  }

  /** Remembers the state a writer left if it is exactly the durable log; forgets it otherwise. */
  private keepState(runId: string, writer: RunWriter | undefined): void {
    // A run that just ended is not remembered: nothing more will be decided or driven on it,
    // and serializing its whole state at the end of every run cost more than the read a later
    // look at it takes (a `get`, a resume of an ended run: one snapshot and its tail).
    if (writer?.settled && !isTerminal(writer.state.status)) this.states.remember(writer.state);
    else this.states.forget(runId);
  }

  /** Appends a decision at the head it was made on; a race is re-decided on the new state. */
  private async decide(
    runId: string,
    build: (s: RunState) => { drafts: Draft[]; expired?: Error },
  ): Promise<RunView> {
    for (let attempt = 0; ; attempt++) {
      // The first attempt folds a state it does not remember from the log without reading the
      // runs row first: the append is fenced at that state's head, so a log that disagrees with
      // its row fails there. Later attempts load a state the row proves (a corrupt log is
      // reported then, as CorruptLogError).
      const proven = attempt > 0;
      const state = await this.load(runId, undefined, !proven);
      let built: ReturnType<typeof build>;
      try {
        built = build(state);
      } catch (error) {
        // Refused on a state the runs row has not proven (its log may disagree with the row):
        // ask again of a proven state before telling the caller.
        if (proven) throw error;
        this.states.forget(runId);
        continue;
      }
      const { drafts, expired } = built;
      // Nothing to append means nothing fences the state: an answer from it must be proven.
      if (!proven && drafts.length === 0) continue;
      const writer = new RunWriter(state, this.store, undefined, this.clock, this.ids, this.snapshotEvery);
      try {
        await writer.append(drafts);
      } catch (error) {
        this.states.forget(runId);
        if (error instanceof ConcurrencyError && attempt < DECISION_RETRIES) continue;
        throw error;
      }
      this.keepState(runId, writer);
      if (expired) throw expired;
      return toRunView(writer.state);
    }
  }
}

/** Calls someone approved (or started approving) that have not produced an outcome yet. */
function grantsWithoutOutcome(s: RunState | undefined): string[] {
  if (!s) return [];
  const open = new Set<ToolCallState['status']>([
    'awaiting_approval',
    'approved',
    'started',
    'outcome_unknown',
    'suspended',
  ]);
  return s.callOrder.filter((id) => {
    const c = s.calls[id] as ToolCallState;
    return open.has(c.status) && (c.grants.length > 0 || c.edit !== undefined);
  });
}
