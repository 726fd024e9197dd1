import type { RunTrace } from '@kestrion/core';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { runSpans, spanIdOf, traceIdOf } from '../../src/otel/run-spans';
import { SpanSink, tracesUrl } from '../../src/otel/span-export';
import { colourFor } from '../../src/output';

const T0 = '2026-01-01T00:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();
/** OpenTelemetry's [seconds, nanoseconds] of an ISO time. */
const hr = (iso: string) => [Math.floor(Date.parse(iso) / 1000), (Date.parse(iso) % 1000) * 1_000_000];

/** A parked run: a failed model call, a rejected call, a call awaiting approval, an open wait. */
const parked: RunTrace = {
  runId: 'run_1',
  agent: 'ops',
  status: 'waiting_on_human',
  startedAt: T0,
  spans: [
    {
      kind: 'model',
      stepKey: '1:agent',
      model: 'm',
      attempts: 2,
      startedAt: at(10),
      endedAt: at(50),
      durationMs: 40,
      status: 'failed',
      inputTokens: 0,
      outputTokens: 0,
      usd: null,
      error: { code: 'provider', message: 'overloaded' },
    },
    {
      kind: 'tool',
      callId: 'c1',
      stepKey: '1:agent',
      tool: 'drop',
      args: { t: 'x' },
      requestedAt: at(60),
      attempts: 0,
      status: 'rejected',
      approval: {
        requestedAt: at(60),
        roles: ['dba'],
        decisions: [{ decision: 'rejected', by: 'bob', role: 'dba', at: at(90), reason: 'no' }],
      },
    },
    {
      kind: 'tool',
      callId: 'c2',
      stepKey: '3:agent',
      tool: 'scale',
      args: { n: 3 },
      requestedAt: at(100),
      attempts: 0,
      status: 'awaiting_approval',
      approval: { requestedAt: at(100), roles: [], decisions: [] },
    },
    { kind: 'wait', reason: 'approval', startedAt: at(101) },
  ],
  totals: { usd: 0, unpricedCalls: 0, inputTokens: 0, outputTokens: 0, llmCalls: 0, toolCalls: 0 },
};

describe('runSpans', () => {
  const spans = runSpans(parked, { providerName: 'anthropic', includeContent: true });
  const byKey = new Map(spans.map((s) => [s.key, s]));

  it('derives the same ids from the run every time', () => {
    expect(runSpans(parked).map((s) => s.spanId)).toEqual(spans.map((s) => s.spanId));
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceIdOf('run_1')]));
    expect(byKey.get('model:1:agent')?.spanId).toBe(spanIdOf('run_1', 'model:1:agent'));
    expect(traceIdOf('run_2')).not.toBe(traceIdOf('run_1'));
  });

  it('marks a failed model call and a rejected tool call as errors, ended by their events', () => {
    expect(byKey.get('model:1:agent')).toMatchObject({
      status: 'error',
      statusMessage: 'overloaded',
      startMs: Date.parse(at(10)),
      endMs: Date.parse(at(50)),
    });
    expect(byKey.get('model:1:agent')?.attributes).toMatchObject({
      'error.type': 'provider',
      'gen_ai.provider.name': 'anthropic',
      'kestrion.attempts': 2,
    });
    expect(byKey.get('model:1:agent')?.attributes['kestrion.cost_usd']).toBeUndefined();
    expect(byKey.get('tool:c1')).toMatchObject({ status: 'error', endMs: Date.parse(at(90)) });
    expect(byKey.get('tool:c1')?.attributes).toMatchObject({
      'error.type': 'tool_rejected',
      'gen_ai.tool.call.arguments': '{"t":"x"}',
    });
    expect(byKey.get('approval:c1')?.events).toEqual([
      {
        name: 'approval.rejected',
        timeMs: Date.parse(at(90)),
        attributes: {
          'kestrion.approval.by': 'bob',
          'kestrion.approval.role': 'dba',
          'kestrion.approval.reason': 'no',
        },
      },
    ]);
  });

  it('leaves what has not ended open: the root, the call awaiting approval, its approval and the wait', () => {
    expect(spans.filter((s) => s.endMs === undefined).map((s) => s.key)).toEqual([
      'run',
      'tool:c2',
      'approval:c2',
      'wait:1',
    ]);
    expect(byKey.get('run')?.status).toBe('unset');
  });

  it('sends them with their own ids and times; open spans end at the time given', async () => {
    const exporter = new InMemorySpanExporter();
    const sink = new SpanSink({ endpoint: 'http://unused', exporter, serviceName: 'test' });
    sink.emit(spans, Date.parse(at(500)));
    await sink.flush();
    const sent = exporter.getFinishedSpans();
    expect(sent.map((s) => s.spanContext().spanId).sort()).toEqual(spans.map((s) => s.spanId).sort());
    const root = sent.find((s) => s.name === 'invoke_agent ops');
    expect(root?.parentSpanContext).toBeUndefined();
    expect(root?.attributes['kestrion.span.open']).toBe(true);
    expect(root?.endTime).toEqual(hr(at(500)));
    const chat = sent.find((s) => s.name === 'chat m');
    expect(chat?.parentSpanContext?.spanId).toBe(byKey.get('run')?.spanId);
    expect(chat?.startTime).toEqual(hr(at(10)));
    expect(chat?.endTime).toEqual(hr(at(50)));
    expect(chat?.resource.attributes['service.name']).toBe('test');
    await sink.shutdown();
  });

  it('appends /v1/traces to a base endpoint only', () => {
    expect(tracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl('http://collector:4318/custom/traces')).toBe('http://collector:4318/custom/traces');
  });
});

describe('colour', () => {
  it('is on for a terminal only, and off with NO_COLOR or TERM=dumb', () => {
    expect(colourFor({ isTTY: true }, {})).toBe(true);
    expect(colourFor({ isTTY: false }, {})).toBe(false);
    expect(colourFor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colourFor({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(colourFor({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });
});
