import { approvalBindingProblem, requiredRoles } from '../approvals/approval-policy';
import { expiryDrafts } from '../approvals/decisions';
import type { Clock } from '../ports/clock';
import type { IdGenerator } from '../ports/ids';
import type { RunState, ToolCallState } from '../state/run-state';
import { jsonHash } from '../util/hash';
import type { Json } from '../util/json';
import { StepMismatchError, ToolTimeoutError, UnknownToolError } from './engine-errors';
import { toErrorInfo } from './error-info';
import type { InterruptSignal } from './interrupt';
import type { LeaseKeeper } from './lease-keeper';
import type { Draft, RunWriter } from './run-writer';
import {
  type ArgsValidator,
  type ToolCallRequest,
  type ToolDefinition,
  type ToolResult,
  type ToolIdentity,
  type ToolReturn,
  ToolOutcomeUnknown,
  ToolSuspension,
} from './tool-definition';
import { identityChange } from './tool-identity';
import type { EventPayloads, WaitingReason } from '../events/event-types';

export interface ToolBatchDeps {
  writer: RunWriter;
  tools: Map<string, ToolDefinition>;
  validate: ArgsValidator | undefined;
  clock: Clock;
  ids: IdGenerator;
  lease: LeaseKeeper | undefined;
  interrupt: InterruptSignal;
  node: string;
  /** The signal a call is handed is `abort.current` when it starts (see NodeAbort.current). */
  abort: { readonly current: AbortSignal };
}

/**
 * The tool-call protocol for one batch of calls made by a node:
 * requested -> validated -> gated (every gated call of the batch checked before any runs)
 * -> started (durable before the tool runs) -> completed | failed.
 * Re-executed after a crash, recorded steps replay; a started call with no outcome is
 * retried only when idempotent, otherwise it parks the run as outcome_unknown.
 */
export class ToolBatch {
  constructor(private readonly d: ToolBatchDeps) {}

  private get state(): RunState {
    return this.d.writer.state;
  }

  async run(stepKeys: string[], requests: ToolCallRequest[]): Promise<ToolResult[]> {
    const callIds = await this.request(stepKeys, requests);
    await this.gate(callIds);
    await this.recoverInterrupted(callIds);
    await this.gateChangedTools(callIds);
    await Promise.all(callIds.map((id) => this.executeIfRunnable(this.call(id))));
    await this.parkIfBlocked(callIds);
    return Promise.all(callIds.map((id) => this.result(this.call(id))));
  }

  private call(callId: string): ToolCallState {
    return this.state.calls[callId] as ToolCallState;
  }

  /** Records new calls (with validation failures) in one append; recorded ones must match. */
  private async request(stepKeys: string[], requests: ToolCallRequest[]): Promise<string[]> {
    const drafts: Draft[] = [];
    const identities = new Map<string, ToolIdentity | undefined>();
    for (const [i, req] of requests.entries()) {
      const def = this.d.tools.get(req.tool);
      if (def && !this.state.steps[stepKeys[i] as string] && !identities.has(req.tool))
        identities.set(req.tool, await this.identityOf(def));
    }
    const callIds = requests.map((req, i) => {
      const stepKey = stepKeys[i] as string;
      const argsHash = jsonHash(req.args);
      const recorded = this.state.steps[stepKey];
      if (recorded) {
        const call = recorded.callId ? this.state.calls[recorded.callId] : undefined;
        // Compare with what was requested at this step (edited args replace call.args later).
        const requested = call ? this.requestedHash(call) : undefined;
        if (recorded.kind !== 'tool' || recorded.name !== req.tool || !call || requested !== argsHash)
          throw new StepMismatchError(
            this.state.runId,
            stepKey,
            describeStep(recorded.kind, recorded.name, requested),
            describeStep('tool', req.tool, argsHash),
          );
        return call.callId;
      }
      const callId = this.d.ids.newId('call');
      const def = this.d.tools.get(req.tool);
      drafts.push({
        type: 'tool.requested',
        data: {
          callId,
          stepKey,
          tool: req.tool,
          args: req.args,
          argsHash,
          ...(identities.get(req.tool) !== undefined ? { toolIdentity: identities.get(req.tool) } : {}),
        },
      });
      const problem = !def
        ? { code: 'unknown_tool', message: new UnknownToolError(req.tool, [...this.d.tools.keys()]).message }
        : this.validate(def, req.args);
      if (problem) drafts.push({ type: 'tool.failed', data: { callId, error: problem } });
      return callId;
    });
    // Committed with the first tool.started (or the park): nothing outside needs them sooner.
    this.d.writer.defer(drafts);
    return callIds;
  }

  private readonly identities = new Map<ToolDefinition, Promise<ToolIdentity | undefined>>();

  /** The tool's identity now, asked once per batch (a function may ask a remote server). */
  private identityOf(def: ToolDefinition): Promise<ToolIdentity | undefined> {
    let identity = this.identities.get(def);
    if (identity === undefined) {
      const declared = def.identity;
      identity = Promise.resolve().then(() => (typeof declared === 'function' ? declared() : declared));
      this.identities.set(def, identity);
    }
    return identity;
  }

  /** The hash of the arguments as the node first requested them (before any approver edit). */
  private requestedHash(call: ToolCallState): string {
    return call.requestedArgsHash ?? call.argsHash;
  }

  private validate(
    def: ToolDefinition,
    args: Json,
  ): { code: string; message: string; errors: string[] } | undefined {
    if (!this.d.validate || !def.parameters) return undefined;
    const v = this.d.validate(def, args);
    return v.ok
      ? undefined
      : { code: 'invalid_arguments', message: `arguments for ${def.name} are invalid`, errors: v.errors };
  }

  /** Every gated call of the batch is checked before any call of the batch runs. */
  private async gate(callIds: string[]): Promise<void> {
    const drafts: Draft[] = [];
    const now = this.d.clock.now();
    for (const id of callIds) {
      const call = this.call(id);
      const def = this.d.tools.get(call.tool);
      if (call.status !== 'requested' || !def) continue;
      const roles = requiredRoles(def, call.args);
      if (roles === null) continue;
      drafts.push(approvalRequest(call, def, roles, now));
    }
    for (const id of callIds) {
      const call = this.call(id);
      if (call.status === 'awaiting_approval' && call.deadline && Date.parse(call.deadline) <= now) {
        const tool = this.d.tools.get(call.tool);
        drafts.push(...expiryDrafts(call, tool));
        if ((tool?.onApprovalTimeout ?? 'reject') !== 'reject') {
          await this.d.writer.append(drafts);
          await this.d.interrupt.fire({ kind: 'ended' });
        }
      }
    }
    // Parking is in the same append as the requests: a decision can only meet a parked run.
    const willAwait =
      callIds.some((id) => this.call(id).status === 'awaiting_approval') ||
      drafts.some((d) => d.type === 'approval.requested');
    if (willAwait) {
      await this.d.writer.park('approval', this.d.node, drafts);
      await this.park();
    } else if (drafts.length > 0) await this.d.writer.append(drafts);
  }

  /** A call started before a crash, with no recorded outcome. */
  private async recoverInterrupted(callIds: string[]): Promise<void> {
    const drafts: Draft[] = [];
    for (const id of callIds) {
      const call = this.call(id);
      const def = this.d.tools.get(call.tool);
      if (call.status === 'started' && !def?.idempotent)
        drafts.push({ type: 'tool.outcome_unknown', data: { callId: id, attempt: call.attempts } });
    }
    const unknown =
      drafts.length > 0 ||
      callIds.some((id) => this.call(id).status === 'outcome_unknown' && !this.call(id).retryApproved);
    if (!unknown) return;
    await this.d.writer.park('outcome_unknown', this.d.node, drafts);
    await this.park();
  }

  /**
   * A call about to run whose tool is not the one it was requested (or last approved) for: its
   * recorded identity differs from the tool's now. It does not run; it is asked about again, on
   * the tool as it is now, and the run parks with the change named.
   */
  private async gateChangedTools(callIds: string[]): Promise<void> {
    const drafts: Draft[] = [];
    const now = this.d.clock.now();
    for (const id of callIds) {
      const call = this.call(id);
      const def = this.d.tools.get(call.tool);
      if (!def || call.toolIdentity === undefined || !this.runnable(call)) continue;
      const current = await this.identityOf(def);
      const changed = identityChange(call.toolIdentity, current);
      if (changed === undefined) continue;
      drafts.push(
        approvalRequest(call, def, requiredRoles(def, call.args) ?? [], now, {
          reason: `not executed: tool ${call.tool} changed since this call was ${call.grants.length > 0 ? 'approved' : 'requested'} (${changed}); approve it again to run it as it is now`,
          toolIdentity: current ?? {},
        }),
      );
    }
    if (drafts.length === 0) return;
    await this.d.writer.park('approval', this.d.node, drafts);
    await this.park();
  }

  private async park(): Promise<never> {
    await this.d.writer.snapshot();
    return this.d.interrupt.fire({ kind: 'parked' });
  }

  private runnable(call: ToolCallState): boolean {
    const def = this.d.tools.get(call.tool);
    if (!def) return false;
    if (call.status === 'requested') return requiredRoles(def, call.args) === null;
    if (call.status === 'approved') return true;
    if (call.status === 'started') return def.idempotent === true;
    if (call.status === 'suspended') return true;
    return call.status === 'outcome_unknown' && call.retryApproved === true;
  }

  /**
   * A call whose tool could not tell its outcome, or that waits on another run, parks this run
   * too (after the batch's other calls ran).
   */
  private async parkIfBlocked(callIds: string[]): Promise<void> {
    const calls = callIds.map((id) => this.call(id));
    if (calls.some((c) => c.status === 'outcome_unknown' && !c.retryApproved)) {
      await this.d.writer.park('outcome_unknown', this.d.node);
      await this.park();
    }
    const suspended = calls.find((c) => c.status === 'suspended');
    if (!suspended) return;
    await this.d.writer.park(this.suspendedReason.get(suspended.callId) ?? 'approval', this.d.node);
    await this.park();
  }

  private readonly suspendedReason = new Map<string, WaitingReason>();

  private async executeIfRunnable(call: ToolCallState): Promise<void> {
    if (!this.runnable(call)) return;
    const def = this.d.tools.get(call.tool) as ToolDefinition;
    if (call.status === 'approved') {
      const problem = approvalBindingProblem(call, def);
      if (problem) {
        this.d.writer.defer([
          {
            type: 'tool.failed',
            data: {
              callId: call.callId,
              error: { code: 'approval_mismatch', message: `not executed: ${problem}` },
            },
          },
        ]);
        return;
      }
    }
    // The previous call's outcome is durable before this effect starts; committing it also
    // folds a cancel another process asked for meanwhile, which ends the run here, before the
    // effect — as the node runtime does before each call.
    await this.d.writer.commitUrgent();
    const cancel = this.state.cancelRequested;
    if (cancel) {
      await this.d.writer.cancel(cancel.by);
      await this.d.interrupt.fire({ kind: 'ended' });
    }
    const attempt = call.attempts + 1;
    const idempotencyKey = call.idempotencyKey ?? `${this.state.runId}:${call.callId}`;
    const owner = this.d.lease?.lease.owner;
    await this.d.writer.append([
      {
        type: 'tool.started',
        data: { callId: call.callId, attempt, idempotencyKey, ...(owner !== undefined ? { owner } : {}) },
      },
    ]);
    // The fence, checked by this process's own clock right before the effect.
    this.d.lease?.assertHeld();
    let outcome: Draft;
    try {
      const result = await this.invoke(def, call, attempt, idempotencyKey);
      if (result instanceof ToolOutcomeUnknown) {
        outcome = {
          type: 'tool.outcome_unknown',
          data: { callId: call.callId, attempt, reason: result.reason },
        };
      } else if (result instanceof ToolSuspension) {
        this.suspendedReason.set(call.callId, result.reason);
        outcome = {
          type: 'tool.suspended',
          data: { callId: call.callId, waitingOn: result.waitingOn, reason: result.reason },
        };
      } else
        outcome = {
          type: 'tool.completed',
          data: { callId: call.callId, result: result === undefined ? null : result },
        };
    } catch (error) {
      outcome = { type: 'tool.failed', data: { callId: call.callId, error: toErrorInfo(error) } };
    }
    // A non-idempotent outcome is committed at once — within this turn of the event loop,
    // together with the node's transition when the node ends right away (commitSoon): the
    // window in which a crash leaves an effect unrecorded (outcome_unknown) stays that of one
    // append. An idempotent tool's outcome may wait for the next commit: re-running it with
    // its key is safe. Suspensions and unknown outcomes park the run: committed and awaited.
    if (outcome.type === 'tool.suspended' || outcome.type === 'tool.outcome_unknown')
      await this.d.writer.append([outcome]);
    else if (def.idempotent) this.d.writer.defer([outcome]);
    else this.d.writer.commitSoon([outcome]);
  }

  private async invoke(
    def: ToolDefinition,
    call: ToolCallState,
    attempt: number,
    idempotencyKey: string,
  ): Promise<ToolReturn> {
    const lease = this.d.lease;
    const invocation = {
      runId: this.state.runId,
      callId: call.callId,
      idempotencyKey,
      attempt,
      assertLeaseHeld: () => lease?.assertHeld(),
    };
    // Without a timeout the run's own signal is the call's: no controller per call.
    const signal = this.d.abort.current;
    if (def.timeoutMs === undefined) return def.invoke(call.args, { ...invocation, signal });
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    try {
      const run = Promise.resolve(def.invoke(call.args, { ...invocation, signal: controller.signal }));
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = new ToolTimeoutError(def.name, def.timeoutMs as number);
          controller.abort(error);
          reject(error);
        }, def.timeoutMs);
      });
      return await Promise.race([run, timeout]);
    } finally {
      if (timer) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  private async result(call: ToolCallState): Promise<ToolResult> {
    const base = { callId: call.callId, tool: call.tool };
    if (call.status === 'completed') return { ...base, status: 'completed', result: call.result ?? null };
    if (call.status === 'rejected' || call.status === 'expired') {
      // A rejection is reported as that person's, with or without a reason; only an expiry is the deadline's.
      const rejected = call.status === 'rejected';
      const by = rejected ? (call.rejection?.by ?? '(unknown)') : 'deadline';
      const reason = rejected
        ? (call.rejection?.reason ?? 'no reason given')
        : `approval expired at ${call.deadline ?? '(no deadline recorded)'}`;
      if (this.d.tools.get(call.tool)?.onReject === 'fail') {
        await this.d.writer.fail({
          code: 'approval_rejected',
          message: `${call.tool} (${call.callId}) rejected by ${by}: ${reason}`,
        });
        return this.d.interrupt.fire({ kind: 'ended' });
      }
      return { ...base, status: 'rejected', by, reason };
    }
    return {
      ...base,
      status: 'failed',
      error: call.error ?? { code: 'tool_not_run', message: `call ended in status ${call.status}` },
    };
  }
}

function describeStep(kind: string, name: string, argsHash: string | undefined): string {
  return `${kind} ${name}${argsHash ? ` (args ${argsHash.slice(0, 12)})` : ''}`;
}

/** `approval.requested` for a call, with the deadline its tool's `approvalTimeoutMs` gives from `now`. */
function approvalRequest(
  call: ToolCallState,
  def: ToolDefinition,
  roles: string[],
  now: number,
  extra: Partial<EventPayloads['approval.requested']> = {},
): Draft {
  const deadline =
    def.approvalTimeoutMs === undefined ? undefined : new Date(now + def.approvalTimeoutMs).toISOString();
  return {
    type: 'approval.requested',
    data: {
      callId: call.callId,
      tool: call.tool,
      argsHash: call.argsHash,
      roles,
      ...extra,
      ...(deadline ? { deadline } : {}),
    },
  };
}
