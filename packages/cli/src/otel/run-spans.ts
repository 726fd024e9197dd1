import { createHash } from 'node:crypto';
import type { RunTrace, ToolCallSpan } from '@kestrion/core';

/** An attribute value as OpenTelemetry takes it. */
export type SpanAttributeValue = string | number | boolean | string[];

/** One span to export, computed from a run's trace: ids, times and attributes are all decided here. */
export interface RunSpan {
  /** Stable within the run (`run`, `model:<stepKey>`, `tool:<callId>`, ...): the span id derives from it. */
  key: string;
  name: string;
  kind: 'internal' | 'client';
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  /** Epoch ms, from the events' `at`. */
  startMs: number;
  /** Epoch ms; absent while the span is still open (the run waits, the call runs). */
  endMs?: number;
  attributes: Record<string, SpanAttributeValue>;
  status: 'unset' | 'ok' | 'error';
  statusMessage?: string;
  events: { name: string; timeMs: number; attributes: Record<string, SpanAttributeValue> }[];
}

/** What the trace itself does not record. */
export interface RunSpanOptions {
  /** `gen_ai.provider.name` of the model calls (the log does not record the provider). Default `unknown`. */
  providerName?: string;
  /** Tool arguments and results as span attributes (GenAI conventions: opt-in; they may hold secrets). */
  includeContent?: boolean;
}

/** The trace id of a run: the same in every process, so spans exported apart join one trace. */
export function traceIdOf(runId: string): string {
  return createHash('sha256').update(`kestrion:trace:${runId}`).digest('hex').slice(0, 32);
}

/** The span id of one part of a run (its key): stable, so exporting twice repeats ids, never invents new ones. */
export function spanIdOf(runId: string, key: string): string {
  return createHash('sha256').update(`kestrion:span:${runId}:${key}`).digest('hex').slice(0, 16);
}

const at = (iso: string) => Date.parse(iso);

/**
 * A run's spans after the OpenTelemetry GenAI semantic conventions: `invoke_agent {agent}` at the
 * root; under it `chat {model}` per model call (CLIENT), `execute_tool {tool}` per tool call (its
 * approval, when gated, as an `approval {tool}` child with one event per decision) and
 * `wait {reason}` per time the run was parked. Every time comes from the log.
 */
export function runSpans(t: RunTrace, options: RunSpanOptions = {}): RunSpan[] {
  const traceId = traceIdOf(t.runId);
  const rootId = spanIdOf(t.runId, 'run');
  const provider = options.providerName ?? 'unknown';
  const spans: RunSpan[] = [];
  const ended = t.endedAt !== undefined;
  spans.push({
    key: 'run',
    name: `invoke_agent ${t.agent}`,
    kind: 'internal',
    traceId,
    spanId: rootId,
    startMs: at(t.startedAt),
    ...(ended ? { endMs: at(t.endedAt as string) } : {}),
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': t.agent,
      'gen_ai.agent.id': t.agent,
      'gen_ai.conversation.id': t.runId,
      'gen_ai.provider.name': provider,
      'gen_ai.usage.input_tokens': t.totals.inputTokens,
      'gen_ai.usage.output_tokens': t.totals.outputTokens,
      'kestrion.run.id': t.runId,
      'kestrion.run.status': t.status,
      'kestrion.run.llm_calls': t.totals.llmCalls,
      'kestrion.run.tool_calls': t.totals.toolCalls,
      'kestrion.run.cost_usd': t.totals.usd,
      'kestrion.run.unpriced_calls': t.totals.unpricedCalls,
      ...(t.error ? { 'error.type': t.error.code } : {}),
    },
    ...status(
      t.status === 'failed' || t.status === 'expired' ? (t.error?.message ?? t.status) : undefined,
      ended,
    ),
    events: [],
  });
  const child = (key: string) => ({ key, traceId, spanId: spanIdOf(t.runId, key), parentSpanId: rootId });
  let waits = 0;
  for (const s of t.spans) {
    if (s.kind === 'model') {
      spans.push({
        ...child(`model:${s.stepKey}`),
        name: `chat ${s.model}`,
        kind: 'client',
        startMs: at(s.startedAt),
        ...(s.endedAt ? { endMs: at(s.endedAt) } : {}),
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': provider,
          'gen_ai.request.model': s.model,
          'gen_ai.usage.input_tokens': s.inputTokens,
          'gen_ai.usage.output_tokens': s.outputTokens,
          'gen_ai.conversation.id': t.runId,
          'kestrion.step_key': s.stepKey,
          'kestrion.attempts': s.attempts,
          ...(s.usd !== null ? { 'kestrion.cost_usd': s.usd } : {}),
          ...(s.error ? { 'error.type': s.error.code } : {}),
        },
        ...status(
          s.status === 'failed' ? (s.error?.message ?? 'failed') : undefined,
          s.endedAt !== undefined,
        ),
        events: [],
      });
    } else if (s.kind === 'tool') {
      spans.push(...toolSpans(t.runId, traceId, rootId, s, options.includeContent === true));
    } else {
      waits += 1;
      spans.push({
        ...child(`wait:${waits}`),
        name: `wait ${s.reason}`,
        kind: 'internal',
        startMs: at(s.startedAt),
        ...(s.endedAt ? { endMs: at(s.endedAt) } : {}),
        attributes: {
          'kestrion.wait.reason': s.reason,
          ...(s.bucket !== undefined ? { 'kestrion.wait.bucket': s.bucket } : {}),
          ...(s.node !== undefined ? { 'kestrion.node': s.node } : {}),
        },
        status: 'unset',
        events: [],
      });
    }
  }
  return spans;
}

function status(errorMessage: string | undefined, ended: boolean): Pick<RunSpan, 'status' | 'statusMessage'> {
  if (errorMessage !== undefined) return { status: 'error', statusMessage: errorMessage };
  return { status: ended ? 'ok' : 'unset' };
}

const TOOL_ERRORS = new Set(['failed', 'rejected', 'expired']);

function toolSpans(
  runId: string,
  traceId: string,
  rootId: string,
  s: ToolCallSpan,
  content: boolean,
): RunSpan[] {
  const key = `tool:${s.callId}`;
  const spanId = spanIdOf(runId, key);
  const decisions = s.approval?.decisions ?? [];
  const lastDecision = decisions[decisions.length - 1];
  // Ended when it has an outcome; a rejected or expired call ends at that decision.
  const endIso =
    s.endedAt ?? (s.status === 'rejected' || s.status === 'expired' ? lastDecision?.at : undefined);
  const failed = TOOL_ERRORS.has(s.status);
  const tool: RunSpan = {
    key,
    name: `execute_tool ${s.tool}`,
    kind: 'internal',
    traceId,
    spanId,
    parentSpanId: rootId,
    startMs: at(s.requestedAt),
    ...(endIso !== undefined ? { endMs: at(endIso) } : {}),
    attributes: {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': s.tool,
      'gen_ai.tool.call.id': s.callId,
      'gen_ai.tool.type': 'function',
      'kestrion.step_key': s.stepKey,
      'kestrion.tool.status': s.status,
      'kestrion.attempts': s.attempts,
      ...(s.startedAt !== undefined ? { 'kestrion.tool.started_at': s.startedAt } : {}),
      ...(s.durationMs !== undefined ? { 'kestrion.tool.duration_ms': s.durationMs } : {}),
      ...(s.error ? { 'error.type': s.error.code } : failed ? { 'error.type': `tool_${s.status}` } : {}),
      ...(content ? { 'gen_ai.tool.call.arguments': JSON.stringify(s.args) } : {}),
      ...(content && s.result !== undefined ? { 'gen_ai.tool.call.result': JSON.stringify(s.result) } : {}),
    },
    ...status(failed ? (s.error?.message ?? `the call was ${s.status}`) : undefined, endIso !== undefined),
    events: [],
  };
  if (!s.approval) return [tool];
  const decided =
    decisions.find((d) => d.decision !== 'granted') ??
    (s.status !== 'awaiting_approval' ? lastDecision : undefined);
  const approval: RunSpan = {
    key: `approval:${s.callId}`,
    name: `approval ${s.tool}`,
    kind: 'internal',
    traceId,
    spanId: spanIdOf(runId, `approval:${s.callId}`),
    parentSpanId: spanId,
    startMs: at(s.approval.requestedAt),
    ...(decided !== undefined ? { endMs: at(decided.at) } : {}),
    attributes: {
      'gen_ai.tool.name': s.tool,
      'gen_ai.tool.call.id': s.callId,
      'kestrion.approval.roles': s.approval.roles,
      ...(s.approval.deadline !== undefined ? { 'kestrion.approval.deadline': s.approval.deadline } : {}),
      ...(lastDecision ? { 'kestrion.approval.outcome': lastDecision.decision } : {}),
    },
    status: 'unset',
    events: decisions.map((d) => ({
      name: `approval.${d.decision}`,
      timeMs: at(d.at),
      attributes: {
        ...(d.by !== undefined ? { 'kestrion.approval.by': d.by } : {}),
        ...(d.role !== undefined ? { 'kestrion.approval.role': d.role } : {}),
        ...(d.reason !== undefined ? { 'kestrion.approval.reason': d.reason } : {}),
        ...(d.editedArgs !== undefined ? { 'kestrion.approval.edited': true } : {}),
      },
    })),
  };
  return [tool, approval];
}
