import { ConfigurationError, PayloadTooLargeError, RunInterrupted } from '../errors';
import type { ModelRequest, ModelResponse, Provider } from '../providers/provider';
import type { RunState } from '../state/run-state';
import type { Json, JsonObject } from '../util/json';
import { frozenList, frozenView } from '../util/frozen-view';
import { StepMismatchError } from './engine-errors';
import { isInfrastructureError, toErrorInfo } from './error-info';
import type { NodeContext } from './graph';
import type { InterruptSignal } from './interrupt';
import type { LeaseKeeper } from './lease-keeper';
import type { NodeAbort } from './node-abort';
import type { RunWriter } from './run-writer';
import type { Clock } from '../ports/clock';
import type { IdGenerator } from '../ports/ids';
import { ToolBatch } from './tool-batch';
import type { ArgsValidator, ToolCallRequest, ToolDefinition, ToolResult } from './tool-definition';

/**
 * What every node execution of one driven run shares: made once per driver, so a step
 * allocates only its own small objects (a pure step is a few microseconds in memory, and
 * per-step garbage that outlives a scavenge costs more than the step).
 */
export interface RunRuntime {
  writer: RunWriter;
  provider: Provider | undefined;
  tools: Map<string, ToolDefinition>;
  validate: ArgsValidator | undefined;
  clock: Clock;
  ids: IdGenerator;
  /** The fence checked right before the model is called (absent for tests without a lease). */
  lease: LeaseKeeper | undefined;
  maxCostUsd: number | undefined;
  /** Streams model text to an observer; never recorded token by token. */
  onTextDelta: ((delta: string, info: { attempt: number }) => void) | undefined;
}

/**
 * The NodeContext handed to one execution of one node. Every effect gets the step key
 * `<visit>:<index>`, deterministic as long as the node's code is: re-executed after a crash,
 * the same calls meet their recorded results.
 */
export class NodeRuntime implements NodeContext {
  private nextIndex = 0;
  private cancelling: Promise<never> | undefined;
  readonly runId: string;
  readonly node: string;
  readonly visit: number;
  readonly input: Json;
  private inboxView: readonly Json[] | undefined;
  private stateView: Readonly<JsonObject> | undefined;
  /** The node's tool-call protocol, made on its first call (most steps call no tool). */
  private batch: ToolBatch | undefined;

  constructor(
    private readonly d: RunRuntime,
    /** How this execution is stopped early (see InterruptSignal). */
    private readonly interrupt: InterruptSignal,
    /** The node's signal, made when first read. */
    private readonly nodeAbort: NodeAbort,
  ) {
    const s: RunState = d.writer.state;
    this.runId = s.runId;
    this.node = s.currentNode ?? '';
    this.visit = s.visits;
    this.input = s.input;
  }

  /** Messages sent with `run.input`, frozen; made on first use (a node may never look). */
  get inbox(): readonly Json[] {
    return (this.inboxView ??= frozenList(this.d.writer.state.inbox));
  }

  /**
   * The graph state as the node found it, frozen; made on first use. A node's own calls never
   * change it (patches apply at its transition), so a late first look sees the same state.
   */
  get state(): Readonly<JsonObject> {
    return (this.stateView ??= frozenView(this.d.writer.state.data));
  }

  get signal(): AbortSignal {
    return this.nodeAbort.signal;
  }

  private tools(): ToolBatch {
    if (this.batch) return this.batch;
    this.batch = new ToolBatch({
      writer: this.d.writer,
      tools: this.d.tools,
      validate: this.d.validate,
      clock: this.d.clock,
      ids: this.d.ids,
      lease: this.d.lease,
      interrupt: this.interrupt,
      node: this.node,
      abort: this.nodeAbort,
    });
    return this.batch;
  }

  private stepKey(): string {
    return `${this.visit}:${this.nextIndex++}`;
  }

  async callTool(tool: string, args: Json): Promise<ToolResult> {
    const [result] = await this.callTools([{ tool, args }]);
    return result as ToolResult;
  }

  callTools(calls: ToolCallRequest[]): Promise<ToolResult[]> {
    const keys = calls.map(() => this.stepKey());
    return this.guard(() => this.tools().run(keys, calls));
  }

  callModel(request: ModelRequest): Promise<ModelResponse> {
    const stepKey = this.stepKey();
    return this.guard(() => this.model(stepKey, request));
  }

  private async model(stepKey: string, request: ModelRequest): Promise<ModelResponse> {
    const s = this.d.writer.state;
    const recorded = s.steps[stepKey];
    if (recorded && (recorded.kind !== 'llm' || recorded.name !== request.model))
      throw new StepMismatchError(
        s.runId,
        stepKey,
        `${recorded.kind} ${recorded.name}`,
        `llm ${request.model}`,
      );
    const step = s.llmSteps[stepKey];
    if (step?.response !== undefined) return step.response as unknown as ModelResponse;
    const provider = this.d.provider;
    if (!provider)
      throw new ConfigurationError(
        `node ${this.node} called a model but the engine has no provider; pass { provider } to the Engine`,
      );
    const attempt = (step?.attempts ?? 0) + 1;
    await this.d.writer.append([{ type: 'llm.requested', data: { stepKey, model: request.model, attempt } }]);
    // The fence, as before a tool: a process paused past its lease must not call (and pay) again.
    this.d.lease?.assertHeld();
    let response: ModelResponse;
    try {
      // As a tool call: the node's signal if the node made one, else the driver's (which aborts
      // when the lease is lost). Making a node signal per model call cost an AbortController
      // and a listener on the driver's signal every turn.
      response = await provider.complete(request, {
        signal: this.nodeAbort.current,
        ...(this.d.onTextDelta ? { onTextDelta: this.d.onTextDelta } : {}),
      });
    } catch (error) {
      this.d.writer.defer([{ type: 'llm.failed', data: { stepKey, attempt, error: toErrorInfo(error) } }]);
      throw error;
    }
    const cost = provider.cost?.(response) ?? {
      usd: null,
      inputTokens: response.usage.inputTokens,
      outputTokens: response.usage.outputTokens,
    };
    // Committed with the next effect or the node's transition: until something depends on
    // it outside this process, a lost response only costs a second request.
    this.d.writer.defer([
      { type: 'llm.completed', data: { stepKey, response: response as unknown as Json }, cost },
    ]);
    const { maxCostUsd } = this.d;
    if (maxCostUsd !== undefined && s.totals.usd > maxCostUsd) {
      await this.d.writer.fail({
        code: 'limit_exceeded',
        message: `maxCostUsd ${maxCostUsd} exceeded: spent $${s.totals.usd.toFixed(4)}`,
      });
      return this.interrupt.fire({ kind: 'ended' });
    }
    return response;
  }

  /**
   * A step mismatch fails the run loudly (the code changed under a recorded log); any other
   * error reaches the node, which may handle it. A run interrupted already lets no call through
   * (RunInterrupted again); a cancel this driver has seen (another process's
   * `run.cancel_requested`, folded by an append) ends the run here, before the next effect.
   */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    this.interrupt.check();
    try {
      // A tool outcome left to share the node's next commit is durable before the next call
      // (which also folds a cancel asked meanwhile; it is acted on just below).
      await this.d.writer.commitUrgent();
      const cancel = this.d.writer.state.cancelRequested;
      if (cancel) {
        // One run.cancelled, however many calls the node has in flight.
        this.cancelling ??= this.d.writer
          .cancel(cancel.by)
          .then(() => this.interrupt.fire({ kind: 'ended' }));
        return await this.cancelling;
      }
      return await fn();
    } catch (error) {
      if (error instanceof RunInterrupted) throw error;
      // This driver lost the right to act: stop the node where it stands, write nothing more.
      if (isInfrastructureError(error)) return this.interrupt.fire({ kind: 'abandoned', error });
      if (error instanceof PayloadTooLargeError) this.d.writer.dropOversized(error.limit);
      else if (!(error instanceof StepMismatchError)) throw error;
      await this.d.writer.fail(toErrorInfo(error));
      return this.interrupt.fire({ kind: 'ended' });
    }
  }
}
