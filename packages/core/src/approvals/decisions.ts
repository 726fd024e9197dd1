import { InvalidArgumentsError } from '../errors';
import type { Clock } from '../ports/clock';
import type { RunState, ToolCallState } from '../state/run-state';
import { jsonHash } from '../util/hash';
import type { Json } from '../util/json';
import {
  ApprovalAlreadyDecidedError,
  ApprovalExpiredError,
  ApprovalMismatchError,
  ApprovalNotFoundError,
  RunStateError,
} from '../engine/engine-errors';
import { runEnding } from '../engine/run-ending';
import type { Draft } from '../engine/run-writer';
import type { ArgsValidator, ToolDefinition } from '../engine/tool-definition';
import { deciders, requiredRoles } from './approval-policy';
import { assertEditedArgs, assertIdentity, assertOptionalRole, assertOptionalText } from './decision-input';

export interface ApproveInput {
  /** Which call; may be omitted when exactly one is pending. */
  callId?: string;
  /** The authenticated identity deciding (never the model). */
  by: string;
  /** The role the caller's authentication granted; must match the chain's next role. */
  role?: string;
  /** Edited arguments: an explicit decision recorded with their new hash. */
  args?: Json;
  /** The argsHash the approver was shown; the approval is refused if the call's differs. */
  argsHash?: string;
}

export interface RejectInput {
  callId?: string;
  by: string;
  role?: string;
  /** Goes back to the model (or into the run's failure); optional. */
  reason?: string;
}

export type Decision = { drafts: Draft[]; expired?: ApprovalExpiredError };

/** The call a decision is about: named, or the only one pending. */
export function pendingCall(s: RunState, callId: string | undefined): ToolCallState {
  if (s.status !== 'waiting_on_human' || s.waitingReason !== 'approval') {
    // Without a callId, the call a late decision was most likely about: the last one decided.
    const decided = s.callOrder
      .map((id) => s.calls[id] as ToolCallState)
      .filter((c) => c.grants.length > 0 || c.rejection);
    const known = callId ? ownCall(s, callId) : decided[decided.length - 1];
    if (known && known.status !== 'awaiting_approval')
      throw new ApprovalAlreadyDecidedError(s.runId, known.callId, known.status);
    throw new RunStateError(
      s.runId,
      `is not waiting for an approval (status ${s.status}${s.waitingReason ? `, waiting on ${s.waitingReason}` : ''})`,
    );
  }
  const pending = Object.values(s.calls).filter((c) => c.status === 'awaiting_approval');
  if (callId === undefined) {
    if (pending.length === 1) return pending[0] as ToolCallState;
    throw new ApprovalNotFoundError(
      s.runId,
      `${pending.length} calls await approval (${pending.map((c) => c.callId).join(', ')}); pass callId`,
    );
  }
  const call = ownCall(s, callId);
  if (!call) throw new ApprovalNotFoundError(s.runId, `no call ${JSON.stringify(callId)} in this run`);
  if (call.status !== 'awaiting_approval')
    throw new ApprovalAlreadyDecidedError(s.runId, callId, call.status);
  return call;
}

/** A call of the run by id; a hostile id such as `__proto__` finds nothing. */
function ownCall(s: RunState, callId: string): ToolCallState | undefined {
  return Object.hasOwn(s.calls, callId) ? s.calls[callId] : undefined;
}

/** A passed deadline turns any decision into the recorded expiry. */
function expiry(
  s: RunState,
  call: ToolCallState,
  tool: ToolDefinition | undefined,
  clock: Clock,
): Decision | undefined {
  if (!call.deadline || Date.parse(call.deadline) > clock.now()) return undefined;
  return {
    drafts: expiryDrafts(call, tool),
    expired: new ApprovalExpiredError(s.runId, call.callId, call.deadline),
  };
}

/** What a passed deadline records: the expiry, and the run's failure when the tool says so. */
export function expiryDrafts(call: ToolCallState, tool: ToolDefinition | undefined): Draft[] {
  const outcome = tool?.onApprovalTimeout ?? 'reject';
  const drafts: Draft[] = [{ type: 'approval.expired', data: { callId: call.callId, outcome } }];
  if (outcome === 'fail')
    drafts.push(
      runEnding.fail({
        code: 'approval_expired',
        message: `approval of ${call.tool} (${call.callId}) expired at ${call.deadline ?? '?'}`,
      }),
    );
  return drafts;
}

export function decideApproval(
  s: RunState,
  input: ApproveInput,
  tools: ReadonlyMap<string, ToolDefinition>,
  validate: ArgsValidator | undefined,
  clock: Clock,
): Decision {
  assertIdentity(input.by, 'approve');
  assertOptionalRole(input.role, 'approve');
  assertOptionalText(input.callId, 'callId', 'approve');
  assertOptionalText(input.argsHash, 'argsHash', 'approve');
  assertEditedArgs(input.args, 'approve');
  const call = pendingCall(s, input.callId);
  const tool = tools.get(call.tool);
  const expired = expiry(s, call, tool, clock);
  if (expired) return expired;
  if (input.argsHash !== undefined && input.argsHash !== call.argsHash)
    throw new ApprovalMismatchError(
      s.runId,
      call.callId,
      `the arguments changed since they were shown (hash ${input.argsHash.slice(0, 12)}… is now ${call.argsHash.slice(0, 12)}…); review them again`,
    );
  const role = call.requiredRoles[call.grants.length];
  if (role !== undefined && input.role !== role)
    throw new ApprovalMismatchError(
      s.runId,
      call.callId,
      `the next approval must come from role ${role}, not ${input.role ?? '(no role)'}`,
    );
  if (!tool?.allowSameApprover && deciders(call).includes(input.by))
    throw new ApprovalMismatchError(
      s.runId,
      call.callId,
      `${input.by} already decided a step of this call's chain; each step needs another person (set allowSameApprover on the tool to allow one person several steps)`,
    );
  const base = { callId: call.callId, tool: call.tool, by: input.by, argsHash: call.argsHash };
  const withRole = input.role !== undefined ? { role: input.role } : {};
  if (input.args === undefined) {
    const complete = call.grants.length + 1 >= Math.max(call.requiredRoles.length, 1);
    return { drafts: [{ type: 'approval.granted', data: { ...base, ...withRole, complete } }] };
  }
  return { drafts: [editGrant(s, call, tool, input, validate)] };
}

/**
 * An approval that edits the arguments. The policy is evaluated on the arguments that will
 * run: the edit records the chain they need, and counts as its first step only when the
 * editor carries that step's role. An edit that needs more roles waits for those decisions.
 */
function editGrant(
  s: RunState,
  call: ToolCallState,
  tool: ToolDefinition | undefined,
  input: ApproveInput,
  validate: ArgsValidator | undefined,
): Draft {
  const args = input.args as Json;
  if (call.grants.length > 0)
    throw new ApprovalMismatchError(
      s.runId,
      call.callId,
      'arguments can only be edited before the first approval of a chain; reject and let the node ask again',
    );
  if (!tool)
    throw new ApprovalMismatchError(
      s.runId,
      call.callId,
      `tool ${call.tool} is not defined in this engine, so edited arguments cannot be checked against its policy; approve without editing, or use an engine that has the tool`,
    );
  if (validate && tool.parameters) {
    const v = validate(tool, args);
    if (!v.ok)
      throw new InvalidArgumentsError(
        call.tool,
        `edited arguments for ${call.tool} are invalid: ${v.errors.join('; ')}`,
        v.errors,
      );
  }
  const roles = requiredRoles(tool, args) ?? [];
  const counted = roles[0] === undefined || roles[0] === input.role;
  const complete = counted && roles.length <= 1;
  return {
    type: 'approval.granted',
    data: {
      callId: call.callId,
      tool: call.tool,
      by: input.by,
      argsHash: call.argsHash,
      ...(input.role !== undefined ? { role: input.role } : {}),
      editedArgs: args,
      editedArgsHash: jsonHash(args),
      roles,
      counted,
      complete,
    },
  };
}

export function decideRejection(
  s: RunState,
  input: RejectInput,
  tools: ReadonlyMap<string, ToolDefinition>,
  clock: Clock,
): Decision {
  assertIdentity(input.by, 'reject');
  assertOptionalRole(input.role, 'reject');
  assertOptionalText(input.callId, 'callId', 'reject');
  assertOptionalText(input.reason, 'reason', 'reject');
  const call = pendingCall(s, input.callId);
  const tool = tools.get(call.tool);
  const expired = expiry(s, call, tool, clock);
  if (expired) return expired;
  return {
    drafts: [
      {
        type: 'approval.rejected',
        data: {
          callId: call.callId,
          by: input.by,
          ...(input.reason !== undefined ? { reason: input.reason } : {}),
          ...(input.role !== undefined ? { role: input.role } : {}),
        },
      },
    ],
  };
}

/** A person's decision about a call whose outcome is unknown after a crash. */
export type OutcomeDecision =
  | { kind: 'retry'; by: string }
  | { kind: 'supply'; by: string; result: Json }
  | { kind: 'fail'; by: string; reason: string };

export function decideOutcome(s: RunState, callId: string, d: OutcomeDecision): Draft[] {
  assertIdentity(d.by, `${d.kind === 'supply' ? 'supplyToolResult' : `${d.kind}Tool`}`);
  assertOptionalText(callId, 'callId', 'the outcome decision');
  if (d.kind === 'fail') assertOptionalText(d.reason, 'reason', 'failTool');
  const call = ownCall(s, callId);
  if (!call) throw new ApprovalNotFoundError(s.runId, `no call ${JSON.stringify(callId)} in this run`);
  if (call.status !== 'outcome_unknown' || call.retryApproved)
    throw new RunStateError(
      s.runId,
      `call ${callId} has no unknown outcome to decide (status ${call.status})`,
    );
  if (d.kind === 'retry') return [{ type: 'tool.retry_approved', data: { callId, by: d.by } }];
  if (d.kind === 'supply') return [{ type: 'tool.completed', data: { callId, result: d.result, by: d.by } }];
  return [
    {
      type: 'tool.failed',
      data: { callId, by: d.by, error: { code: 'failed_by_operator', message: d.reason } },
    },
  ];
}
