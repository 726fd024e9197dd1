import type { EventPayloads, StatePatch } from '../events/event-types';
import type { StoredEvent } from '../events/envelope';
import type { Json, JsonObject } from '../util/json';
import { type CallFacts, lifecycleTransition } from './run-lifecycle';
import type { RunState, ToolCallState } from './run-state';

/**
 * Bumped whenever the fold's output changes shape or meaning; snapshots taken by another
 * fold version are ignored (they are a cache, the log is the truth).
 */
export const FOLD_VERSION = 1;

type Handler<K extends keyof EventPayloads> = (s: RunState, d: EventPayloads[K], e: StoredEvent) => void;
type Handlers = { [K in keyof EventPayloads]: Handler<K> };

function emptyState(e: StoredEvent): RunState {
  return {
    runId: e.runId,
    agent: '',
    status: 'pending',
    input: null,
    limits: {},
    visits: 0,
    data: {},
    inbox: [],
    calls: {},
    callOrder: [],
    llmSteps: {},
    steps: {},
    totals: { usd: 0, unpricedCalls: 0, inputTokens: 0, outputTokens: 0, llmCalls: 0, toolCalls: 0 },
    seq: 0,
    createdAt: e.at,
    updatedAt: e.at,
  };
}

/**
 * Arrays the fold created itself (and so may grow in place). An array that came from an
 * event payload or a snapshot is copied once before its first append: payloads are never
 * mutated, and a list that only grows costs linear time, not quadratic.
 */
const ownedArrays = new WeakSet<Json[]>();

function applyPatch(data: JsonObject, patch: StatePatch): void {
  for (const [k, v] of Object.entries(patch.set ?? {})) data[k] = v;
  for (const [k, items] of Object.entries(patch.append ?? {})) {
    const cur = data[k];
    if (Array.isArray(cur) && ownedArrays.has(cur)) cur.push(...items);
    else {
      const grown = Array.isArray(cur) ? [...cur, ...items] : [...items];
      ownedArrays.add(grown);
      data[k] = grown;
    }
  }
  for (const k of patch.unset ?? []) delete data[k];
}

function call(s: RunState, callId: string): ToolCallState | undefined {
  return Object.hasOwn(s.calls, callId) ? s.calls[callId] : undefined;
}

/** The state's answers to the lifecycle's questions, from its calls (see run-lifecycle.ts). */
const STATE_FACTS: CallFacts<RunState> = {
  awaitingApprovals: (s) => {
    let n = 0;
    for (const id in s.calls) if (s.calls[id]?.status === 'awaiting_approval') n += 1;
    return n;
  },
  blockedOnCall: (s) =>
    Object.values(s.calls).some((c) => c.status === 'outcome_unknown' || c.status === 'suspended'),
};

const handlers: Handlers = {
  'run.started': (s, d) => {
    s.agent = d.agent;
    s.input = d.input;
    s.limits = d.limits ?? {};
    if (d.parentRunId !== undefined) s.parentRunId = d.parentRunId;
  },
  'run.input': (s, d) => {
    s.inbox.push(d.message);
  },
  'node.entered': (s, d) => {
    if (d.patch) applyPatch(s.data, d.patch);
    s.currentNode = d.node;
    s.visits += 1;
  },
  'state.patched': (s, d) => {
    applyPatch(s.data, d.patch);
  },
  'llm.requested': (s, d) => {
    s.steps[d.stepKey] = { kind: 'llm', name: d.model };
    const prev = s.llmSteps[d.stepKey];
    s.llmSteps[d.stepKey] = {
      stepKey: d.stepKey,
      model: d.model,
      attempts: Math.max(d.attempt, prev?.attempts ?? 0),
    };
  },
  'llm.completed': (s, d, e) => {
    const step = s.llmSteps[d.stepKey];
    if (step) {
      step.response = d.response;
      delete step.error;
    }
    s.totals.llmCalls += 1;
    if (e.cost) {
      if (e.cost.usd === null) s.totals.unpricedCalls += 1;
      else s.totals.usd += e.cost.usd;
      s.totals.inputTokens += e.cost.inputTokens ?? 0;
      s.totals.outputTokens += e.cost.outputTokens ?? 0;
    }
  },
  'llm.failed': (s, d, e) => {
    const step = s.llmSteps[d.stepKey];
    if (step) step.error = d.error;
    if (e.cost?.usd) s.totals.usd += e.cost.usd;
  },
  'tool.requested': (s, d) => {
    s.steps[d.stepKey] = { kind: 'tool', name: d.tool, callId: d.callId };
    s.calls[d.callId] = {
      callId: d.callId,
      stepKey: d.stepKey,
      tool: d.tool,
      args: d.args,
      argsHash: d.argsHash,
      status: 'requested',
      requiredRoles: [],
      grants: [],
      attempts: 0,
      ...(d.toolIdentity !== undefined ? { toolIdentity: d.toolIdentity } : {}),
    };
    s.callOrder.push(d.callId);
  },
  'approval.requested': (s, d, e) => {
    const c = call(s, d.callId);
    if (!c) return;
    c.status = 'awaiting_approval';
    c.requiredRoles = d.roles;
    c.approvalRequestedAt = e.at;
    if (d.deadline !== undefined) c.deadline = d.deadline;
    if (d.toolIdentity !== undefined) {
      // Asked again because the tool changed: what was decided about the old tool is void (an
      // edit's arguments stay, as in a fork). Never the case for a first request (no grants yet).
      c.toolIdentity = d.toolIdentity;
      c.grants = [];
      delete c.edit;
      if (d.deadline === undefined) delete c.deadline;
    }
    if (d.reason !== undefined) c.approvalReason = d.reason;
    else delete c.approvalReason;
  },
  'approval.granted': (s, d, e) => {
    const c = call(s, d.callId);
    if (!c) return;
    const grant = {
      by: d.by,
      at: e.at,
      tool: d.tool,
      argsHash: d.editedArgsHash ?? d.argsHash,
      ...(d.role !== undefined ? { role: d.role } : {}),
    };
    if (d.editedArgs !== undefined && d.editedArgsHash !== undefined) {
      c.requestedArgsHash = c.requestedArgsHash ?? c.argsHash;
      c.args = d.editedArgs;
      c.argsHash = d.editedArgsHash;
      // v2: the edited arguments carry their own chain; the editor counts only as its first step.
      const counted = d.counted ?? true;
      if (d.roles !== undefined) c.requiredRoles = d.roles;
      c.edit = { by: d.by, at: e.at, counted, ...(d.role !== undefined ? { role: d.role } : {}) };
      c.grants = counted ? [grant] : [];
    } else c.grants.push(grant);
    if (d.complete) c.status = 'approved';
  },
  'approval.rejected': (s, d, e) => {
    const c = call(s, d.callId);
    if (!c) return;
    c.status = 'rejected';
    c.rejection = {
      by: d.by,
      at: e.at,
      ...(d.reason !== undefined ? { reason: d.reason } : {}),
      ...(d.role !== undefined ? { role: d.role } : {}),
    };
  },
  'approval.expired': (s, d) => {
    const c = call(s, d.callId);
    if (c) c.status = 'expired';
  },
  'tool.started': (s, d) => {
    const c = call(s, d.callId);
    if (!c) return;
    c.status = 'started';
    c.attempts = d.attempt;
    c.idempotencyKey = d.idempotencyKey;
    if (d.owner !== undefined) c.startedBy = d.owner;
    else delete c.startedBy;
    delete c.retryApproved;
    s.totals.toolCalls += 1;
  },
  'tool.completed': (s, d) => {
    const c = call(s, d.callId);
    if (!c) return;
    c.status = 'completed';
    c.result = d.result;
  },
  'tool.failed': (s, d) => {
    const c = call(s, d.callId);
    if (!c) return;
    c.status = 'failed';
    c.error = d.error;
  },
  'tool.outcome_unknown': (s, d) => {
    const c = call(s, d.callId);
    if (!c) return;
    c.status = 'outcome_unknown';
    if (d.reason !== undefined) c.outcomeReason = d.reason;
    else delete c.outcomeReason;
  },
  'tool.suspended': (s, d) => {
    const c = call(s, d.callId);
    if (!c) return;
    c.status = 'suspended';
    c.waitingOn = d.waitingOn;
  },
  'tool.retry_approved': (s, d) => {
    const c = call(s, d.callId);
    if (c) c.retryApproved = true;
  },
  'run.waiting': (s, d) => {
    if (d.node !== undefined) s.currentNode = d.node;
  },
  'run.throttled': (s, d) => {
    s.throttled = { bucket: d.bucket, untilMs: d.untilMs };
  },
  'run.completed': (s, d) => {
    s.output = d.output;
  },
  'run.failed': (s, d) => {
    s.error = d.error;
  },
  'run.cancel_requested': (s, d) => {
    s.cancelRequested = { by: d.by, ...(d.reason !== undefined ? { reason: d.reason } : {}) };
  },
  'run.cancelled': () => {},
  'run.forked': (s, d) => {
    s.forkedFrom = { runId: d.fromRunId, atSeq: d.atSeq };
    for (const callId of d.revokedApprovals ?? []) {
      const c = call(s, callId);
      if (!c) continue;
      // The fork gates the call again, on the arguments that would run (an edit made in the
      // source stays, but its editor decided nothing in this run).
      c.status = 'requested';
      c.grants = [];
      c.requiredRoles = [];
      delete c.edit;
      delete c.deadline;
      delete c.approvalRequestedAt;
      delete c.retryApproved;
    }
  },
};

/**
 * Handlers by event type, in a Map: a type named after an Object.prototype member
 * (`constructor`, `__proto__`, `toString`...) finds nothing, as any other unknown type.
 */
const handlerByType: ReadonlyMap<string, Handler<keyof EventPayloads>> = new Map(
  Object.entries(handlers) as [string, Handler<keyof EventPayloads>][],
);

/**
 * Mutates `draft` with one event. Internal: callers use `fold` / `foldEvents`. The handler
 * applies the event to calls, data and totals; the run's status and waiting reason move by
 * `lifecycleTransition` alone, exactly as in the runs projection.
 */
function applyEvent(draft: RunState, e: StoredEvent): void {
  const handler = handlerByType.get(e.type);
  // A throttle lasts until anything else happens to the run (it was driven again, cancelled).
  if (draft.throttled !== undefined && e.type !== 'run.throttled') delete draft.throttled;
  // Unknown types are extension events (registered by other packages); they do not move core state.
  if (handler) {
    handler(draft, e.data as never, e);
    const next = lifecycleTransition(draft.status, draft.waitingReason ?? null, e, STATE_FACTS, draft);
    if (next) {
      draft.status = next.status;
      if (next.waitingReason === null) delete draft.waitingReason;
      else draft.waitingReason = next.waitingReason;
    }
  }
  draft.seq = e.seq;
  draft.updatedAt = e.at;
}

function clone(state: RunState): RunState {
  return structuredClone(state);
}

/**
 * Folds events onto a state (or onto nothing, from the run's first event). Pure: the input
 * state is not modified. One clone per call, so folding a long tail is linear.
 */
export function foldEvents(state: RunState | undefined, events: Iterable<StoredEvent>): RunState | undefined {
  let draft = state ? clone(state) : undefined;
  for (const e of events) {
    if (!draft) draft = emptyState(e);
    applyEvent(draft, e);
  }
  return draft;
}

/** `fold(state, event) -> state`, the single-event form. */
export function fold(state: RunState | undefined, event: StoredEvent): RunState {
  return foldEvents(state, [event]) as RunState;
}

/** Folds without cloning: for a caller that owns `draft` (a loader building state from scratch). */
export function foldInto(draft: RunState | undefined, e: StoredEvent): RunState {
  const target = draft ?? emptyState(e);
  applyEvent(target, e);
  return target;
}
