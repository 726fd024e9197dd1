import {
  ConfigurationError,
  Engine,
  type ApproveInput,
  type Json,
  type DriveOptions,
  type SchedulingOptions,
  type Lease,
  RunNotFoundError,
  type RejectInput,
  type RunView,
  type RunMetadata,
  type RunObserver,
  type ReplayReport,
  type RunTrace,
  type StoredEvent,
  type Store,
  type ToolDefinition,
  type ModelToolSpec,
  SubRunEndedError,
  ToolSuspension,
} from '@kestrion/core';
import { agentMetadataOf, toolMetadataOf } from '../decorators/tool-metadata';
import type { BoundTool } from '../tools/bound-tool';
import { toolsOf } from '../tools/tools-of';
import { type AgentPersona, agentGraph } from './agent-graph';
import type { AgentRuntimeOptions } from './agent-options';
import { ajvValidator } from './ajv-validator';
import { AsyncQueue } from './async-queue';
import { extraToolSpecs, toolSpecsFor } from './tool-specs';

/** What `stream` yields: model text as it arrives, each durable event, and the run at the end. */
export type AgentStreamItem =
  | { type: 'text'; delta: string; attempt: number }
  | { type: 'event'; event: StoredEvent }
  | { type: 'done'; run: AgentRun };

/** Options of a new run (`run`, `stream`). */
export interface AgentRunOptions {
  /**
   * Labels to list the run by (`{ tenant: 'acme', user: 'u1' }`): recorded in its first event
   * and kept in the store's runs table; `store.listRuns({ metadata: { tenant: 'acme' } })`.
   * String keys to string values, bounded; invalid metadata is an `InvalidRunMetadataError`.
   */
  metadata?: RunMetadata;
}

/** Options of a run handed to workers (`submit`): how it is queued, besides its labels. */
export interface AgentSubmitOptions extends AgentRunOptions, SchedulingOptions {
  /** The run's id (default: a new time-ordered id). Submitting an id that exists is a `RunIdTakenError`. */
  runId?: string;
}

/** A run as the Agent API shows it: the engine's view plus the last thing the model said. */
export interface AgentRun extends RunView {
  id: string;
  lastMessage?: string;
}

const SUB_AGENT_PARAMETERS = {
  type: 'object',
  properties: { input: { type: 'string', description: 'The task, with all the context the agent needs.' } },
  required: ['input'],
  additionalProperties: false,
};

function subAgentSpec(a: Agent): ModelToolSpec {
  return {
    name: a.name,
    description: `Delegate a task to the ${a.name} agent.`,
    parameters: SUB_AGENT_PARAMETERS,
  };
}

function toDefinition(t: BoundTool): ToolDefinition {
  return {
    name: t.name,
    description: t.description,
    parameters: t.parameters,
    requiresApproval: t.requiresApproval as ToolDefinition['requiresApproval'],
    idempotent: t.idempotent,
    ...(t.timeoutMs !== undefined ? { timeoutMs: t.timeoutMs } : {}),
    ...(t.approvalTimeoutMs !== undefined ? { approvalTimeoutMs: t.approvalTimeoutMs } : {}),
    ...(t.onApprovalTimeout !== undefined ? { onApprovalTimeout: t.onApprovalTimeout } : {}),
    ...(t.onReject !== undefined ? { onReject: t.onReject } : {}),
    ...(t.allowSameApprover !== undefined ? { allowSameApprover: t.allowSameApprover } : {}),
    invoke: async (args, call) =>
      ((await t.invoke(args as object, {
        idempotencyKey: call.idempotencyKey,
        runId: call.runId,
        callId: call.callId,
        attempt: call.attempt,
        signal: call.signal,
        assertLeaseHeld: call.assertLeaseHeld,
      })) ?? null) as Json,
  };
}

const STORE_PACKAGE = '@kestrion/store';

/**
 * A store URL is opened with `@kestrion/store`, an optional peer dependency of this package
 * (an agent handed a `Store` needs none): missing, it is a ConfigurationError naming it.
 */
async function resolveStore(store: Store | string): Promise<Store> {
  if (typeof store !== 'string') return store;
  let mod: { openStore(url: string): Promise<Store> };
  try {
    // This package is CommonJS: require loads the optional peer only when a URL asks for it (a
    // native import() would also work in Node, but not under jest without VM modules).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(STORE_PACKAGE) as typeof mod;
  } catch (cause) {
    // Only the package itself missing is a setup problem; an error inside it is its own.
    if (!isMissingModule(cause, STORE_PACKAGE)) throw cause;
    throw new ConfigurationError(
      `store ${JSON.stringify(store)} is a URL, which needs the optional peer dependency ${STORE_PACKAGE}: npm install ${STORE_PACKAGE}, or pass a Store`,
      { cause },
    );
  }
  return mod.openStore(store);
}

/** The engine's start options for an Agent run: only what was given. */
function startOptions(options: AgentRunOptions): { metadata?: RunMetadata } {
  return options.metadata !== undefined ? { metadata: options.metadata } : {};
}

function isMissingModule(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') &&
    error instanceof Error &&
    error.message.includes(name)
  );
}

/**
 * An agent: a decorated class instance, a provider and a store. `run` returns as soon as
 * the run completes, fails or parks; every other method works from any process on the same
 * store, at any time later.
 */
export class Agent<T extends object = object> {
  /** The engine once its store is open; opened on first use (see `engine()`). */
  private opened: Promise<Engine> | undefined;
  private readonly openEngine: () => Promise<Engine>;
  /** The store as given: a URL this agent opens (and closes), or a Store the caller owns. */
  private readonly storeOption: Store | string;
  /** The agent name recorded in its runs: a worker claims its runs with `agents: [agent.name]`. */
  readonly name: string;

  /** What another agent needs to take this one's part in a handoff. */
  readonly persona: AgentPersona;
  /** This agent's own tools, as engine tool definitions. */
  readonly toolDefinitions: ToolDefinition[];

  constructor(instance: T, options: AgentRuntimeOptions) {
    const meta = agentMetadataOf(instance.constructor);
    this.name = options.name ?? meta?.options.name ?? instance.constructor.name;
    const instructions = options.instructions ?? meta?.options.instructions;
    if (instructions === undefined)
      throw new ConfigurationError(
        `${instance.constructor.name} has no instructions: decorate it with @agent({ instructions }) or pass { instructions }`,
      );
    const extra = options.tools ?? [];
    // A class whose tools all come from `tools` (an MCP server's) needs no @tool method nor manifest.
    const ctor = instance.constructor as abstract new (...args: never[]) => unknown;
    const decorated = toolMetadataOf(ctor).length > 0 || extra.length === 0;
    const bound = decorated
      ? toolsOf(instance, options.manifest === undefined ? {} : { manifest: options.manifest })
      : [];
    const subAgents = options.agents ?? [];
    this.toolDefinitions = [...bound.map(toDefinition), ...extra, ...subAgents.map((a) => a.asTool())];
    this.persona = {
      name: this.name,
      instructions,
      specs: [
        ...toolSpecsFor(options.provider, bound),
        ...extraToolSpecs(options.provider, extra),
        ...subAgents.map(subAgentSpec),
      ],
      ...(options.provider.normalizeToolArguments
        ? { normalizeToolArguments: options.provider.normalizeToolArguments.bind(options.provider) }
        : {}),
    };
    const handoffs = options.handoffs ?? [];
    const tools = [...this.toolDefinitions, ...handoffs.flatMap((h) => h.toolDefinitions)];
    const dup = tools.map((t) => t.name).find((n, i, all) => all.indexOf(n) !== i);
    if (dup !== undefined)
      throw new ConfigurationError(
        `two tools are named ${JSON.stringify(dup)} across ${this.name} and its handoffs; rename one with @tool({ name })`,
      );
    const graph = agentGraph({
      root: this.persona,
      handoffs: handoffs.map((h) => h.persona),
      model: options.model,
      tools,
      maxTurns: options.maxTurns ?? meta?.options.maxTurns ?? 20,
      maxRepairs: options.maxRepairs ?? 3,
      multiTurn: options.multiTurn ?? false,
    });
    const maxCostUsd = options.maxCostUsd ?? meta?.options.maxCostUsd;
    const limits = {
      ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
      ...(maxCostUsd !== undefined ? { maxCostUsd } : {}),
    };
    // Nothing is opened here: a store URL that cannot be opened (a missing directory, a server
    // down) rejects the first call that needs the engine, where the caller awaits it, instead
    // of becoming an unhandled rejection of a constructor.
    this.storeOption = options.store;
    this.openEngine = () =>
      resolveStore(options.store).then(
        (store) =>
          new Engine({
            store,
            graph,
            agent: this.name,
            provider: options.provider,
            validate: ajvValidator,
            ...(options.clock ? { clock: options.clock } : {}),
            ...(options.ids ? { ids: options.ids } : {}),
            ...(options.owner ? { owner: options.owner } : {}),
            ...(options.leaseTtlMs ? { leaseTtlMs: options.leaseTtlMs } : {}),
            // The engine's documented defaults (maxSteps 1,000) unless set: an agent turn is two
            // node visits (model, tools), so maxTurns (default 20) binds long before maxSteps.
            ...(Object.keys(limits).length > 0 ? { limits } : {}),
          }),
      );
  }

  /**
   * The engine this agent runs on, its store opened on first use. A store that cannot be
   * opened rejects here (`ConfigurationError`, `StoreError`); the next call tries again. What a
   * worker or a server needs: `engine.store` to claim from, `engine.agent` (this agent's name).
   */
  engine(): Promise<Engine> {
    this.opened ??= this.openEngine().catch((error: unknown) => {
      this.opened = undefined;
      throw error;
    });
    return this.opened;
  }

  /**
   * Closes the store this agent opened from a URL (a PostgreSQL pool keeps the process alive
   * until it is closed). A `Store` passed in is the caller's to close and is left open. The
   * agent can be used again afterwards: the next call opens the store anew.
   */
  async close(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    if (!opened || typeof this.storeOption !== 'string') return;
    const engine = await opened.catch(() => undefined);
    await engine?.store.close();
  }

  /**
   * `await using agent = new Agent(...)`: `close()` when the block ends, so a store the agent
   * opened from a URL (a PostgreSQL pool) does not keep the process alive.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * Drives a run this process claimed (`store.claimNext({ agents: [agent.name], ... })`): see
   * `Engine.drive` for what happens to the lease. A run of another agent is refused
   * (`AgentMismatchError`).
   */
  async drive(lease: Lease, options: DriveOptions = {}): Promise<AgentRun> {
    return this.view((await this.engine()).drive(lease, undefined, options));
  }

  /**
   * This agent as another agent's tool: each call runs a child run (id derived from the
   * parent's run and call, so a retried call finds the same child) linked to the parent. An
   * approval inside the child parks the parent; approve the child, then resume the parent.
   * Parent and child must share a store.
   */
  asTool(): ToolDefinition {
    return {
      name: this.name,
      description: `Delegate a task to the ${this.name} agent; give it everything it needs in input.`,
      parameters: SUB_AGENT_PARAMETERS,
      idempotent: true,
      invoke: async (args, call) => {
        const e = await this.engine();
        const childId = `${call.runId}/${call.callId}`;
        // Only "no such run yet" starts one; any other failure (the store) fails the call.
        const existing = await e
          .get(childId)
          .catch((error: unknown) => (error instanceof RunNotFoundError ? undefined : Promise.reject(error)));
        if (!existing)
          await e.start((args as { input: string }).input, { runId: childId, parentRunId: call.runId });
        const v = await e.resume(childId);
        if (v.status === 'completed') return v.output ?? null;
        if (v.status === 'waiting_on_human')
          return new ToolSuspension(childId, v.waitingReason ?? 'approval');
        throw new SubRunEndedError(this.name, childId, v.status, v.error?.message);
      },
    };
  }

  private async view(p: Promise<RunView>): Promise<AgentRun> {
    const v = await p;
    const last = typeof v.state.lastMessage === 'string' ? v.state.lastMessage : undefined;
    return { ...v, id: v.runId, ...(last !== undefined ? { lastMessage: last } : {}) };
  }

  /**
   * Records a run and returns its id at once; nothing drives it in this process. A worker
   * (`@kestrion/scheduler`) of this agent claims it — highest `priority` first, at most the
   * worker's per-key limit of runs with one `concurrencyKey` at a time.
   */
  async submit(input: string, options: AgentSubmitOptions = {}): Promise<string> {
    const { priority, concurrencyKey, runId } = options;
    return (await this.engine()).start(input, {
      ...startOptions(options),
      ...(priority !== undefined ? { priority } : {}),
      ...(concurrencyKey !== undefined ? { concurrencyKey } : {}),
      ...(runId !== undefined ? { runId } : {}),
    });
  }

  async run(input: string, options: AgentRunOptions = {}): Promise<AgentRun> {
    return this.view((await this.engine()).run(input, startOptions(options)));
  }

  async resume(runId: string): Promise<AgentRun> {
    return this.view((await this.engine()).resume(runId));
  }

  async get(runId: string): Promise<AgentRun> {
    return this.view((await this.engine()).get(runId));
  }

  /**
   * The run's typed timeline from its log: each model call (model, attempts, duration,
   * tokens, cost), each tool call (arguments, result or error, duration, approvals), each
   * wait, and totals equal to the fold's.
   */
  async trace(runId: string): Promise<RunTrace> {
    return (await this.engine()).trace(runId);
  }

  async approve(runId: string, input: ApproveInput): Promise<AgentRun> {
    return this.view((await this.engine()).approve(runId, input));
  }

  async reject(runId: string, input: RejectInput): Promise<AgentRun> {
    return this.view((await this.engine()).reject(runId, input));
  }

  async cancel(runId: string, by: string, reason?: string): Promise<AgentRun> {
    return this.view((await this.engine()).cancel(runId, by, reason));
  }

  /**
   * Runs (a new input) or resumes (`{ runId }`) and yields text deltas and engine events as
   * they happen, then the run. Tokens are not persisted one by one; the final message is.
   */
  stream(input: string | { runId: string }, options: AgentRunOptions = {}): AsyncIterable<AgentStreamItem> {
    const queue = new AsyncQueue<AgentStreamItem>();
    const observer: RunObserver = {
      onEvents: (events) => events.forEach((event) => queue.push({ type: 'event', event })),
      onTextDelta: (delta, info) => queue.push({ type: 'text', delta, attempt: info.attempt }),
    };
    void (async () => {
      try {
        const e = await this.engine();
        const v =
          typeof input === 'string'
            ? await e.run(input, startOptions(options), observer)
            : await e.resume(input.runId, observer);
        queue.push({ type: 'done', run: await this.view(Promise.resolve(v)) });
        queue.end();
      } catch (error) {
        queue.fail(error);
      }
    })();
    return queue;
  }

  /** The next user turn of a multi-turn run: recorded, then driven until the next answer or park. */
  async send(runId: string, message: string): Promise<AgentRun> {
    const e = await this.engine();
    await e.send(runId, message);
    return this.view(e.resume(runId));
  }

  /** A new run whose log starts with the source's first `atSeq` events, linked to it. */
  async fork(runId: string, atSeq: number): Promise<AgentRun> {
    const e = await this.engine();
    return this.view(e.get(await e.fork(runId, atSeq)));
  }

  /**
   * Re-drives a recorded run against the current code with model responses read from the log:
   * no provider call, no cost, no tool side effect. Reports the first divergence.
   */
  async replay(runId: string): Promise<ReplayReport> {
    return (await this.engine()).replay(runId);
  }

  async retryTool(runId: string, callId: string, by: string): Promise<AgentRun> {
    return this.view((await this.engine()).retryTool(runId, callId, by));
  }

  async supplyToolResult(runId: string, callId: string, result: Json, by: string): Promise<AgentRun> {
    return this.view((await this.engine()).supplyToolResult(runId, callId, result, by));
  }

  async failTool(runId: string, callId: string, reason: string, by: string): Promise<AgentRun> {
    return this.view((await this.engine()).failTool(runId, callId, reason, by));
  }
}
