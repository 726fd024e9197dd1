import { type Context, ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type IdGenerator,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { ConfigurationError } from '@kestrion/core';
import type { RunSpan } from './run-spans';

/** Hands the tracer the ids `runSpans` decided, one span at a time. */
class PresetIds implements IdGenerator {
  traceId = '';
  spanId = '';
  generateTraceId(): string {
    return this.traceId;
  }
  generateSpanId(): string {
    return this.spanId;
  }
}

/** The outcome of each export the processor made (the SDK logs failures; the CLI reports them). */
class RecordingExporter implements SpanExporter {
  readonly failures: string[] = [];
  exported = 0;
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: Parameters<SpanExporter['export']>[1]): void {
    this.inner.export(spans, (result) => {
      if (result.code === 0) this.exported += spans.length;
      else this.failures.push(result.error?.message ?? 'export failed');
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** The OTLP/HTTP traces URL of an endpoint: a base URL gets `/v1/traces`, a URL with a path is used as given. */
export function tracesUrl(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.pathname === '' || url.pathname === '/') url.pathname = '/v1/traces';
  return url.toString();
}

export interface SpanSinkOptions {
  /** OTLP/HTTP endpoint (`http://collector:4318`, or the full `.../v1/traces`). */
  endpoint: string;
  /** `service.name` of the resource (default `$OTEL_SERVICE_NAME`, else `kestrion`). */
  serviceName?: string;
  headers?: Record<string, string>;
  /** Or any SpanExporter (tests: InMemorySpanExporter). */
  exporter?: SpanExporter;
}

/**
 * Sends `RunSpan`s as OpenTelemetry spans with exactly their ids, parents and times (start and
 * end set explicitly, from the log), over OTLP/HTTP (JSON) by default.
 */
export class SpanSink {
  private readonly ids = new PresetIds();
  private readonly provider: BasicTracerProvider;
  private readonly recorder: RecordingExporter;
  private readonly target: string;

  constructor(options: SpanSinkOptions) {
    this.target = options.exporter ? 'the exporter' : tracesUrl(options.endpoint);
    this.recorder = new RecordingExporter(
      options.exporter ??
        new OTLPTraceExporter({
          url: tracesUrl(options.endpoint),
          ...(options.headers ? { headers: options.headers } : {}),
        }),
    );
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        'service.name': options.serviceName ?? process.env.OTEL_SERVICE_NAME ?? 'kestrion',
      }),
      idGenerator: this.ids,
      spanProcessors: [
        new BatchSpanProcessor(this.recorder, { maxExportBatchSize: 512, scheduledDelayMillis: 500 }),
      ],
    });
  }

  /** Spans exported so far (acknowledged by the receiver). */
  get exported(): number {
    return this.recorder.exported;
  }

  /** Records ended spans; an open span (no `endMs`) is ended at `openEndMs`, marked `kestrion.span.open`. */
  emit(spans: readonly RunSpan[], openEndMs?: number): void {
    const tracer = this.provider.getTracer('kestrion');
    for (const s of spans) {
      const endMs = s.endMs ?? openEndMs;
      if (endMs === undefined) continue;
      this.ids.traceId = s.traceId;
      this.ids.spanId = s.spanId;
      const parent: Context = s.parentSpanId
        ? trace.setSpanContext(ROOT_CONTEXT, {
            traceId: s.traceId,
            spanId: s.parentSpanId,
            traceFlags: TraceFlags.SAMPLED,
            isRemote: false,
          })
        : ROOT_CONTEXT;
      const span = tracer.startSpan(
        s.name,
        {
          kind: s.kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL,
          startTime: new Date(s.startMs),
          attributes: { ...s.attributes, ...(s.endMs === undefined ? { 'kestrion.span.open': true } : {}) },
        },
        parent,
      );
      for (const e of s.events) span.addEvent(e.name, e.attributes, new Date(e.timeMs));
      if (s.status === 'error')
        span.setStatus({
          code: SpanStatusCode.ERROR,
          ...(s.statusMessage ? { message: s.statusMessage } : {}),
        });
      else if (s.status === 'ok') span.setStatus({ code: SpanStatusCode.OK });
      span.end(new Date(endMs));
    }
  }

  /** Sends what was emitted; rejects naming the endpoint when the receiver refused or was unreachable. */
  async flush(): Promise<void> {
    const failures: string[] = [];
    await this.provider
      .forceFlush()
      .catch((e: unknown) => failures.push(e instanceof Error ? e.message : String(e)));
    failures.push(...this.recorder.failures.splice(0));
    // A ConfigurationError (exit 2): the fix is in the command line or the collector's setup.
    if (failures.length > 0)
      throw new ConfigurationError(
        `OpenTelemetry export to ${this.target} failed: ${[...new Set(failures.map((f) => f.replace(/^Error: /, '')))].join('; ')}. Fix: check that an OTLP/HTTP receiver listens there (a collector's default is port 4318)`,
      );
  }

  async shutdown(): Promise<void> {
    await this.provider.shutdown().catch(() => undefined);
  }
}
