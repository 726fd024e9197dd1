import { RecordedToolError, ReplayDivergedError } from '../errors';
import type { StoredEvent } from '../events/envelope';
import type { ErrorInfo, EventPayloads } from '../events/event-types';
import { FakeClock } from '../ports/clock';
import { type IdGenerator, randomIds } from '../ports/ids';
import type { ModelResponse, Provider } from '../providers/provider';
import { InMemoryStore } from '../store/in-memory-store';
import type { Json } from '../util/json';
import type { Engine, EngineOptions } from './engine';
import type { Graph } from './graph';
import type { ToolDefinition } from './tool-definition';

/** Where a replay first disagreed with the recorded log. */
export interface ReplayDivergence {
  /** Position in the recorded log (its seq). */
  seq: number;
  expected: string;
  found: string;
}

export interface ReplayReport {
  runId: string;
  /** Recorded events compared. */
  compared: number;
  divergence?: ReplayDivergence;
}

/** The comparable part of an event: type and payload, with ids that differ per run replaced. */
function fingerprint(e: StoredEvent, stepOf: Map<string, string>): string {
  const data = { ...(e.data as Record<string, Json>) };
  if (typeof data.callId === 'string') data.callId = stepOf.get(data.callId) ?? data.callId;
  delete data.idempotencyKey;
  delete data.deadline;
  // Which process ran an attempt is not a decision of the code.
  if (e.type === 'tool.started') delete data.owner;
  return `${e.type} ${JSON.stringify(data)}`;
}

function stepIndex(events: StoredEvent[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of events)
    if (e.type === 'tool.requested') {
      const d = e.data as unknown as EventPayloads['tool.requested'];
      m.set(d.callId, `step:${d.stepKey}`);
    }
  return m;
}

/**
 * Call ids as recorded, in order: ids that the code copies into state or output then match,
 * so only real differences in decisions show up.
 */
function recordedIds(events: StoredEvent[]): IdGenerator {
  const calls = events
    .filter((e) => e.type === 'tool.requested')
    .map((e) => (e.data as { callId: string }).callId);
  return {
    newId: (prefix) =>
      prefix === 'call' && calls.length > 0 ? (calls.shift() as string) : randomIds.newId(prefix),
  };
}

/** Serves the recorded model responses, in order: a replay makes no provider call and costs nothing. */
function recordedProvider(events: StoredEvent[]): Provider {
  const responses = events
    .filter((e) => e.type === 'llm.completed')
    .map((e) => (e.data as { response: Json }).response);
  let i = 0;
  return {
    name: 'replay',
    async complete(): Promise<ModelResponse> {
      const r = responses[i++];
      if (r === undefined)
        throw new ReplayDivergedError('the code asks for more model calls than the log recorded');
      return r as unknown as ModelResponse;
    },
  };
}

/** Tools that return what the recorded run's calls returned (per tool, in order): no side effect runs. */
function recordedTools(graph: Graph, events: StoredEvent[]): ToolDefinition[] {
  const toolOf = new Map<string, string>();
  const outcomes = new Map<string, Array<{ ok: true; result: Json } | { ok: false; error: ErrorInfo }>>();
  for (const e of events) {
    const d = e.data as Record<string, Json>;
    if (e.type === 'tool.requested') toolOf.set(d.callId as string, d.tool as string);
    if ((e.type === 'tool.completed' || e.type === 'tool.failed') && d.by === undefined) {
      const tool = toolOf.get(d.callId as string) ?? '';
      const list = outcomes.get(tool) ?? [];
      list.push(
        e.type === 'tool.completed'
          ? { ok: true, result: d.result ?? null }
          : { ok: false, error: recordedError(d.error) },
      );
      outcomes.set(tool, list);
    }
  }
  return (graph.tools ?? []).map((t) => ({
    ...t,
    invoke: () => {
      const next = outcomes.get(t.name)?.shift();
      if (!next) throw new ReplayDivergedError(`${t.name} was called more often than recorded`);
      if (!next.ok) throw new RecordedToolError(next.error);
      return next.result;
    },
  }));
}

/** A recorded `tool.failed` error as it was logged (an unreadable one as code `error`). */
function recordedError(error: Json | undefined): ErrorInfo {
  const e = error as Partial<ErrorInfo> | null | undefined;
  return typeof e?.code === 'string' && typeof e.message === 'string'
    ? (e as ErrorInfo)
    : { code: 'error', message: String(e?.message) };
}

/**
 * Re-drives a recorded run against the current code: model responses and tool results come
 * from the log, recorded human decisions are re-applied, and the new log is compared with the
 * recorded one event by event. The first difference is reported; nothing is written to the
 * real store.
 */
export async function replayRun(
  recorded: StoredEvent[],
  options: Pick<EngineOptions, 'graph' | 'validate' | 'agent' | 'limits'>,
  makeEngine: (o: EngineOptions) => Engine,
): Promise<ReplayReport> {
  const first = recorded[0];
  if (!first || first.type !== 'run.started')
    throw new ReplayDivergedError('the log does not start with run.started');
  const store = new InMemoryStore();
  const clock = new FakeClock(Date.parse(first.at));
  const engine = makeEngine({
    ...options,
    store,
    clock,
    ids: recordedIds(recorded),
    provider: recordedProvider(recorded),
    graph: { ...options.graph, tools: recordedTools(options.graph, recorded) },
  });
  const runId = first.runId;
  const input = (first.data as { input: Json }).input;
  const recordedStep = stepIndex(recorded);
  const decisions = recorded.filter(
    (e) =>
      ['approval.granted', 'approval.rejected', 'run.input', 'tool.retry_approved'].includes(e.type) ||
      (e.type.startsWith('tool.') && (e.data as { by?: string }).by !== undefined),
  );
  await engine.start(input, { runId });
  let view = await engine.resume(runId);
  for (const d of decisions) {
    if (view.status !== 'waiting_on_human' && view.status !== 'pending') break;
    clock.set(Date.parse(d.at)); // decisions happen when they happened: deadlines replay too
    const step = recordedStep.get((d.data as { callId?: string }).callId ?? '');
    const callId = findCall(await readAll(store, runId), step);
    const data = d.data as Record<string, Json>;
    if (d.type === 'run.input') await engine.send(runId, data.message as Json);
    else if (!callId) break;
    else if (d.type === 'approval.granted')
      await engine.approve(runId, {
        callId,
        by: String(data.by),
        ...(data.role ? { role: String(data.role) } : {}),
        ...(data.editedArgs !== undefined ? { args: data.editedArgs } : {}),
      });
    else if (d.type === 'approval.rejected')
      await engine.reject(runId, { callId, by: String(data.by), reason: String(data.reason) });
    else if (d.type === 'tool.retry_approved') await engine.retryTool(runId, callId, String(data.by));
    else if (d.type === 'tool.completed')
      await engine.supplyToolResult(runId, callId, data.result ?? null, String(data.by));
    else if (d.type === 'tool.failed')
      await engine.failTool(
        runId,
        callId,
        String((data.error as { message?: string })?.message),
        String(data.by),
      );
    view = await engine.resume(runId);
  }
  const replayed = await readAll(store, runId);
  const replayStep = stepIndex(replayed);
  const n = Math.max(recorded.length, replayed.length);
  for (let i = 0; i < n; i++) {
    const want = recorded[i] ? fingerprint(recorded[i] as StoredEvent, recordedStep) : '(end of log)';
    const got = replayed[i] ? fingerprint(replayed[i] as StoredEvent, replayStep) : '(end of log)';
    if (want !== got) return { runId, compared: i, divergence: { seq: i + 1, expected: want, found: got } };
  }
  return { runId, compared: n };
}

async function readAll(store: InMemoryStore, runId: string): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of store.readEvents(runId)) out.push(e);
  return out;
}

function findCall(events: StoredEvent[], step: string | undefined): string | undefined {
  if (!step) return undefined;
  return [...stepIndex(events)].find(([, s]) => s === step)?.[0];
}
