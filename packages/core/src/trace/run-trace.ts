import { UsageError } from '../errors';
import type { StoredEvent } from '../events/envelope';
import type { ErrorInfo, EventPayloads, WaitingReason } from '../events/event-types';
import { foldEvents } from '../state/fold';
import type { RunStatus, RunTotals } from '../state/run-state';
import type { Json } from '../util/json';

/** One model call: every attempt of one step, with what it cost. */
export interface ModelCallSpan {
  kind: 'model';
  stepKey: string;
  model: string;
  /** Attempts made (a call in flight at a crash is requested again as attempt 2). */
  attempts: number;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  status: 'completed' | 'failed' | 'in_flight';
  inputTokens: number;
  outputTokens: number;
  /** USD; null when the model's price is unknown. */
  usd: number | null;
  error?: ErrorInfo;
}

/** A person's decision on a gated call. */
export interface ApprovalDecisionSpan {
  decision: 'granted' | 'rejected' | 'expired';
  by?: string;
  role?: string;
  at: string;
  reason?: string;
  /** Present when the approver edited the arguments. */
  editedArgs?: Json;
}

/** One tool call: requested, perhaps gated, run (one or more attempts), with its outcome. */
export interface ToolCallSpan {
  kind: 'tool';
  callId: string;
  stepKey: string;
  tool: string;
  /** The arguments the tool ran with (an approver's edit replaces the model's). */
  args: Json;
  requestedAt: string;
  startedAt?: string;
  endedAt?: string;
  /** From the last start to the outcome. */
  durationMs?: number;
  attempts: number;
  idempotencyKey?: string;
  status:
    | 'requested'
    | 'awaiting_approval'
    | 'running'
    | 'completed'
    | 'failed'
    | 'rejected'
    | 'expired'
    | 'outcome_unknown'
    | 'suspended';
  result?: Json;
  error?: ErrorInfo;
  approval?: { requestedAt: string; roles: string[]; deadline?: string; decisions: ApprovalDecisionSpan[] };
}

/**
 * A time the run was parked, and why: a person (`approval`, `input`, `outcome_unknown`), or a
 * full provider quota (`quota`, with its `bucket`: `run.throttled`, over at the next event).
 */
export interface WaitSpan {
  kind: 'wait';
  reason: WaitingReason | 'quota';
  bucket?: string;
  node?: string;
  startedAt: string;
  /** Absent while the run is still waiting. */
  endedAt?: string;
  durationMs?: number;
}

export type TraceSpan = ModelCallSpan | ToolCallSpan | WaitSpan;

/** A run's typed timeline, derived from its events alone. */
export interface RunTrace {
  runId: string;
  agent: string;
  status: RunStatus;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  /** In the order each began. */
  spans: TraceSpan[];
  /** Equal to the fold's totals for the same events. */
  totals: RunTotals;
  error?: ErrorInfo;
}

const ms = (a: string, b: string) => Date.parse(b) - Date.parse(a);

/**
 * The timeline of a run from its events: each model call (model, attempts, duration, tokens,
 * cost), each tool call (args, result or error, duration, approvals with who, role, when and
 * edits), each wait (reason, duration), and totals that equal the fold's. Pure; the CLI,
 * servers and OpenTelemetry export render this one model.
 */
export function traceRun(events: readonly StoredEvent[]): RunTrace {
  const first = events[0];
  if (!first) throw new UsageError('traceRun needs the events of a run (got none)');
  const t: RunTrace = {
    runId: first.runId,
    agent: '',
    status: 'pending',
    startedAt: first.at,
    spans: [],
    totals: { usd: 0, unpricedCalls: 0, inputTokens: 0, outputTokens: 0, llmCalls: 0, toolCalls: 0 },
  };
  const models = new Map<string, ModelCallSpan>();
  const tools = new Map<string, ToolCallSpan>();
  let wait: WaitSpan | undefined;
  const endWait = (at: string) => {
    if (!wait) return;
    wait.endedAt = at;
    wait.durationMs = ms(wait.startedAt, at);
    wait = undefined;
  };
  for (const e of events) {
    const d = e.data as never;
    // A quota wait is over as soon as anything happens to the run (it was driven again).
    if (wait?.reason === 'quota') endWait(e.at);
    switch (e.type) {
      case 'run.started':
        t.agent = (d as EventPayloads['run.started']).agent;
        break;
      case 'llm.requested': {
        const r = d as EventPayloads['llm.requested'];
        endWait(e.at);
        const span = models.get(r.stepKey);
        if (span) span.attempts = Math.max(span.attempts, r.attempt);
        else {
          const s: ModelCallSpan = {
            kind: 'model',
            stepKey: r.stepKey,
            model: r.model,
            attempts: r.attempt,
            startedAt: e.at,
            status: 'in_flight',
            inputTokens: 0,
            outputTokens: 0,
            usd: 0,
          };
          models.set(r.stepKey, s);
          t.spans.push(s);
        }
        break;
      }
      case 'llm.completed':
      case 'llm.failed': {
        const stepKey = (d as { stepKey: string }).stepKey;
        const span = models.get(stepKey);
        if (e.type === 'llm.completed') {
          t.totals.llmCalls += 1;
          if (e.cost) {
            if (e.cost.usd === null) t.totals.unpricedCalls += 1;
            else t.totals.usd += e.cost.usd;
            t.totals.inputTokens += e.cost.inputTokens ?? 0;
            t.totals.outputTokens += e.cost.outputTokens ?? 0;
          }
        } else if (e.cost?.usd) t.totals.usd += e.cost.usd;
        if (!span) break;
        span.endedAt = e.at;
        span.durationMs = ms(span.startedAt, e.at);
        span.status = e.type === 'llm.completed' ? 'completed' : 'failed';
        if (e.type === 'llm.failed') span.error = (d as EventPayloads['llm.failed']).error;
        else delete span.error;
        if (e.cost) {
          span.inputTokens += e.cost.inputTokens ?? 0;
          span.outputTokens += e.cost.outputTokens ?? 0;
          span.usd = e.cost.usd === null || span.usd === null ? null : span.usd + e.cost.usd;
        }
        break;
      }
      case 'tool.requested': {
        const r = d as EventPayloads['tool.requested'];
        endWait(e.at);
        const s: ToolCallSpan = {
          kind: 'tool',
          callId: r.callId,
          stepKey: r.stepKey,
          tool: r.tool,
          args: r.args,
          requestedAt: e.at,
          attempts: 0,
          status: 'requested',
        };
        tools.set(r.callId, s);
        t.spans.push(s);
        break;
      }
      case 'approval.requested': {
        const r = d as EventPayloads['approval.requested'];
        const s = tools.get(r.callId);
        if (!s) break;
        s.status = 'awaiting_approval';
        s.approval = {
          requestedAt: e.at,
          roles: r.roles,
          ...(r.deadline !== undefined ? { deadline: r.deadline } : {}),
          decisions: s.approval?.decisions ?? [],
        };
        break;
      }
      case 'approval.granted': {
        const r = d as EventPayloads['approval.granted'];
        const s = tools.get(r.callId);
        if (!s) break;
        if (r.editedArgs !== undefined) s.args = r.editedArgs;
        if (r.complete) s.status = 'requested';
        s.approval?.decisions.push({
          decision: 'granted',
          by: r.by,
          at: e.at,
          ...(r.role !== undefined ? { role: r.role } : {}),
          ...(r.editedArgs !== undefined ? { editedArgs: r.editedArgs } : {}),
        });
        break;
      }
      case 'approval.rejected': {
        const r = d as EventPayloads['approval.rejected'];
        const s = tools.get(r.callId);
        if (!s) break;
        s.status = 'rejected';
        s.approval?.decisions.push({
          decision: 'rejected',
          by: r.by,
          at: e.at,
          ...(r.role !== undefined ? { role: r.role } : {}),
          ...(r.reason !== undefined ? { reason: r.reason } : {}),
        });
        break;
      }
      case 'approval.expired': {
        const r = d as EventPayloads['approval.expired'];
        const s = tools.get(r.callId);
        if (!s) break;
        s.status = 'expired';
        s.approval?.decisions.push({ decision: 'expired', at: e.at });
        break;
      }
      case 'tool.started': {
        const r = d as EventPayloads['tool.started'];
        endWait(e.at);
        t.totals.toolCalls += 1;
        const s = tools.get(r.callId);
        if (!s) break;
        s.status = 'running';
        s.startedAt = e.at;
        s.attempts = r.attempt;
        s.idempotencyKey = r.idempotencyKey;
        break;
      }
      case 'tool.completed':
      case 'tool.failed': {
        const s = tools.get((d as { callId: string }).callId);
        if (!s) break;
        s.status = e.type === 'tool.completed' ? 'completed' : 'failed';
        s.endedAt = e.at;
        if (s.startedAt) s.durationMs = ms(s.startedAt, e.at);
        if (e.type === 'tool.completed') s.result = (d as EventPayloads['tool.completed']).result;
        else s.error = (d as EventPayloads['tool.failed']).error;
        break;
      }
      case 'tool.outcome_unknown':
      case 'tool.suspended': {
        const s = tools.get((d as { callId: string }).callId);
        if (s) s.status = e.type === 'tool.outcome_unknown' ? 'outcome_unknown' : 'suspended';
        break;
      }
      case 'run.waiting': {
        const r = d as EventPayloads['run.waiting'];
        endWait(e.at);
        wait = {
          kind: 'wait',
          reason: r.reason,
          startedAt: e.at,
          ...(r.node !== undefined ? { node: r.node } : {}),
        };
        t.spans.push(wait);
        break;
      }
      case 'run.throttled': {
        const r = d as EventPayloads['run.throttled'];
        endWait(e.at);
        wait = { kind: 'wait', reason: 'quota', bucket: r.bucket, node: r.node, startedAt: e.at };
        t.spans.push(wait);
        break;
      }
      case 'node.entered':
        endWait(e.at);
        break;
      case 'run.completed':
      case 'run.failed':
      case 'run.cancelled':
        endWait(e.at);
        t.endedAt = e.at;
        t.durationMs = ms(t.startedAt, e.at);
        break;
    }
    if (e.type === 'approval.expired' && (d as EventPayloads['approval.expired']).outcome === 'expire') {
      endWait(e.at);
      t.endedAt = e.at;
      t.durationMs = ms(t.startedAt, e.at);
    }
  }
  // Status and error are the fold's: the lifecycle is decided in one place.
  const state = foldEvents(undefined, events);
  if (state) {
    t.status = state.status;
    if (state.error) t.error = state.error;
  }
  return t;
}
