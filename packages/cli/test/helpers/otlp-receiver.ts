import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A span as OTLP/JSON carries it, with attributes flattened to plain values. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, unknown>;
  status: { code?: number; message?: string };
  events: { name: string; timeNs: bigint; attributes: Record<string, unknown> }[];
  resource: Record<string, unknown>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
}

function valueOf(v: OtlpValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(valueOf);
  return undefined;
}

function attrs(list: { key: string; value: OtlpValue }[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, valueOf(a.value)]));
}

/** OTLP/JSON ids are hex; a base64 id (protobuf JSON mapping) is turned to hex too. */
function hexId(id: string | undefined): string | undefined {
  if (!id) return undefined;
  return /^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex');
}

/**
 * A loopback OTLP/HTTP trace receiver: accepts JSON posts to /v1/traces and decodes every span
 * (ids, parent, times as nanoseconds, attributes, events, status).
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly requests: { path: string; contentType: string }[] = [];
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        this.requests.push({ path: req.url ?? '', contentType: String(req.headers['content-type']) });
        if (req.method !== 'POST' || req.url !== '/v1/traces') {
          res.writeHead(404).end();
          return;
        }
        try {
          this.decode(JSON.parse(body));
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        } catch {
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private decode(payload: {
    resourceSpans?: {
      resource?: { attributes?: { key: string; value: OtlpValue }[] };
      scopeSpans?: { spans?: Record<string, unknown>[] }[];
    }[];
  }): void {
    for (const rs of payload.resourceSpans ?? [])
      for (const ss of rs.scopeSpans ?? [])
        for (const s of ss.spans ?? []) {
          const span = s as {
            traceId: string;
            spanId: string;
            parentSpanId?: string;
            name: string;
            kind: number;
            startTimeUnixNano: string;
            endTimeUnixNano: string;
            attributes?: { key: string; value: OtlpValue }[];
            status?: { code?: number; message?: string };
            events?: {
              name: string;
              timeUnixNano: string;
              attributes?: { key: string; value: OtlpValue }[];
            }[];
          };
          const parent = hexId(span.parentSpanId);
          this.spans.push({
            traceId: hexId(span.traceId) as string,
            spanId: hexId(span.spanId) as string,
            ...(parent ? { parentSpanId: parent } : {}),
            name: span.name,
            kind: span.kind,
            startNs: BigInt(span.startTimeUnixNano),
            endNs: BigInt(span.endTimeUnixNano),
            attributes: attrs(span.attributes),
            status: span.status ?? {},
            events: (span.events ?? []).map((e) => ({
              name: e.name,
              timeNs: BigInt(e.timeUnixNano),
              attributes: attrs(e.attributes),
            })),
            resource: attrs(rs.resource?.attributes),
          });
        }
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/** An ISO timestamp of the log as OTLP nanoseconds. */
export const nanos = (iso: string): bigint => BigInt(Date.parse(iso)) * 1_000_000n;
