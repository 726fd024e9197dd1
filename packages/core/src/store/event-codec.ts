import { CorruptLogError, InvalidRunIdError, PayloadTooLargeError } from '../errors';
import type { NewEvent, RawEventRow, StoredEvent } from '../events/envelope';
import type { EventRegistry } from '../events/event-registry';
import type { Json } from '../util/json';

/** Rewrites an event before it is stored: secrets never reach the database or logs. */
export type Redactor = (event: NewEvent, runId: string) => NewEvent;

export interface CodecOptions {
  registry: EventRegistry;
  /** Largest serialized payload (data + cost) accepted per event, in bytes. */
  maxEventBytes: number;
  redact?: Redactor;
}

export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;
export const MAX_RUN_ID_LENGTH = 256;

/**
 * Run ids travel into SQL only as parameters; still, ids that a database cannot hold
 * verbatim (NUL, control characters) or that are absurdly long are refused up front.
 */
export function assertValidRunId(runId: unknown): asserts runId is string {
  if (typeof runId !== 'string' || runId.length === 0)
    throw new InvalidRunIdError('must be a non-empty string');
  if (runId.length > MAX_RUN_ID_LENGTH)
    throw new InvalidRunIdError(`${runId.length} characters, over the ${MAX_RUN_ID_LENGTH}-character limit`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(runId)) throw new InvalidRunIdError('contains control characters');
  // A lone surrogate is not Unicode: PostgreSQL (and any UTF-8 text) would store it as U+FFFD,
  // so two such ids would name one run.
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(runId))
    throw new InvalidRunIdError(
      'contains a lone UTF-16 surrogate (not valid Unicode; a database would store it as U+FFFD); use well-formed text',
    );
}

/**
 * Redacts, versions, serializes and size-checks events before a store writes anything,
 * so a bad event fails the whole append with nothing written.
 */
export function encodeEvents(
  runId: string,
  expectedSeq: number,
  events: readonly NewEvent[],
  opts: CodecOptions,
): RawEventRow[] {
  assertValidRunId(runId);
  return events.map((input, i) => {
    const e = opts.redact ? opts.redact(input, runId) : input;
    // A writer that serialized the payload already (the engine does, to copy it) hands the text
    // along. With a redactor the payload is always serialized again: redaction may change it.
    const data = (opts.redact ? undefined : serializedPayload(input)) ?? JSON.stringify(e.data);
    const cost = e.cost === undefined ? null : JSON.stringify(e.cost);
    const bytes = Buffer.byteLength(data) + (cost ? Buffer.byteLength(cost) : 0);
    if (bytes > opts.maxEventBytes) throw new PayloadTooLargeError(runId, e.type, bytes, opts.maxEventBytes);
    return {
      runId,
      seq: expectedSeq + i + 1,
      id: e.id,
      type: e.type,
      v: e.v ?? opts.registry.currentVersion(e.type),
      at: e.at,
      data,
      cost,
    };
  });
}

/**
 * Checks and decodes rows read in seq order. `expectedSeq` is the seq the first row must
 * have; every next row must follow it by one. Payloads are parsed and upcast.
 */
export class EventDecoder {
  constructor(
    private readonly runId: string,
    private expectedSeq: number,
    private readonly registry: EventRegistry,
  ) {}

  decode(row: RawEventRow): StoredEvent {
    const { runId } = this;
    if (row.seq < this.expectedSeq)
      throw new CorruptLogError(runId, row.seq, `duplicate seq (expected ${this.expectedSeq})`);
    if (row.seq > this.expectedSeq)
      throw new CorruptLogError(
        runId,
        this.expectedSeq,
        `gap: seq ${this.expectedSeq} missing, next stored is ${row.seq}`,
      );
    let data: Json;
    let cost: StoredEvent['cost'];
    try {
      data = JSON.parse(row.data) as Json;
      cost = row.cost === null ? undefined : (JSON.parse(row.cost) as StoredEvent['cost']);
    } catch (cause) {
      throw new CorruptLogError(runId, row.seq, `unparsable payload of ${row.type}`, { cause });
    }
    const up = this.registry.upcast(runId, row.seq, row.type, row.v, data);
    this.expectedSeq += 1;
    const out: StoredEvent = {
      runId,
      seq: row.seq,
      id: row.id,
      type: row.type,
      v: up.v,
      at: row.at,
      data: up.data,
    };
    if (cost !== undefined) out.cost = cost;
    return out;
  }
}

/** A redactor that replaces every match of the given patterns in string payload values. */
export function patternRedactor(patterns: RegExp[], replacement = '[REDACTED]'): Redactor {
  const scrub = (v: Json): Json => {
    if (typeof v === 'string')
      return patterns.reduce(
        (s, p) =>
          s.replace(new RegExp(p.source, p.flags.includes('g') ? p.flags : p.flags + 'g'), replacement),
        v,
      );
    if (Array.isArray(v)) return v.map(scrub);
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrub(x)]));
    return v;
  };
  return (e) => ({ ...e, data: scrub(e.data) });
}

const SERIALIZED = Symbol('kestrion.serializedPayload');

/** Attaches the JSON text of `event.data` (not enumerable: never stored, never copied). */
export function attachSerializedPayload(event: NewEvent, json: string): void {
  Object.defineProperty(event, SERIALIZED, { value: json, enumerable: false });
}

function serializedPayload(event: NewEvent): string | undefined {
  return (event as NewEvent & { [SERIALIZED]?: string })[SERIALIZED];
}
