import {
  CorruptLogError,
  InvalidEventDataError,
  InvalidEventError,
  InvalidRunIdError,
  PayloadTooDeepError,
  PayloadTooLargeError,
} from '../errors';
import type { NewEvent, RawEventRow, StoredEvent } from '../events/envelope';
import type { EventRegistry } from '../events/event-registry';
import { findJsonProblem, formatJsonPath, type Json, MAX_JSON_DEPTH } from '../util/json';
import { assertValidRunMetadata } from './run-metadata';

/** Rewrites an event before it is stored: secrets never reach the database or logs. */
export type Redactor = (event: NewEvent, runId: string) => NewEvent;

export interface CodecOptions {
  registry: EventRegistry;
  /** Largest serialized event (data + cost + type + at + id) accepted, in bytes. */
  maxEventBytes: number;
  redact?: Redactor;
}

export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;
export const MAX_RUN_ID_LENGTH = 256;
/** Deepest nesting of objects and arrays accepted in event data (the payload is level 1). */
export const MAX_EVENT_DATA_DEPTH = MAX_JSON_DEPTH;
export const MAX_EVENT_TYPE_LENGTH = 128;
export const MAX_EVENT_ID_LENGTH = 256;

/**
 * Event type names: letters, digits and `_ . : / -` (`run.started`, `acme:note.added`). Names
 * of `Object.prototype` members (`__proto__`, `constructor`, `toString`...) are refused too:
 * any consumer that looks types up in a plain object would find the prototype's member.
 */
const EVENT_TYPE_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.:/-]*$/;
const RESERVED_EVENT_TYPES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Run ids travel into SQL only as parameters; still, ids that a database cannot hold
 * verbatim (NUL, control characters) or that are absurdly long are refused up front.
 */
export function assertValidRunId(runId: unknown): asserts runId is string {
  // A driver appends and reads one run over and over: the id that passed last passes again.
  if (runId === lastValidRunId) return;
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
  lastValidRunId = runId;
}

let lastValidRunId = '';

/** Events redactForStore redacted. */
const redactedEvents = new WeakSet<NewEvent>();

/**
 * An event whose envelope and data `encodeEventData` checked, with the JSON text of its data
 * in a private field: invisible to spreads, `Object.keys`, `JSON.stringify` and equality, so
 * the text never travels to a copy whose data may differ. (A private field costs next to
 * nothing; a symbol property defined on each event, or a WeakMap entry per event, cost more
 * than checking the payload.)
 */
class CheckedEvent {
  readonly #json: string;
  readonly #redacted: boolean;

  constructor(json: string, redacted: boolean) {
    this.#json = json;
    this.#redacted = redacted;
  }

  /** The checked text of `e`, if it may be stored as is by a store that `redacts` or not. */
  static usableText(e: NewEvent, redacts: boolean): string | undefined {
    if (!(#json in e)) return undefined;
    const checked = e as unknown as CheckedEvent;
    return redacts && !checked.#redacted ? undefined : checked.#json;
  }

  static isRedacted(e: NewEvent): boolean {
    return #redacted in e && (e as unknown as CheckedEvent).#redacted;
  }
}

/**
 * Applies a store's redactor to an event and marks the result, so the store does not redact
 * it a second time (a redactor need not be idempotent). Used by writers that fold events
 * before they are stored.
 */
export function redactForStore(event: NewEvent, runId: string, redact: Redactor | undefined): NewEvent {
  if (!redact) return event;
  const out = { ...redact(event, runId) };
  redactedEvents.add(out);
  return out;
}

function isRedacted(event: NewEvent): boolean {
  return redactedEvents.has(event) || CheckedEvent.isRedacted(event);
}

// Most appends reuse a handful of types and one timestamp per millisecond: remember what passed.
const validTypes = new Set<string>();
const VALID_TYPES_REMEMBERED = 1024;
let lastValidAt = '';

/** The reason `type` is not a valid event type name, or undefined. */
export function eventTypeProblem(type: unknown): string | undefined {
  if (typeof type === 'string' && validTypes.has(type)) return undefined;
  if (typeof type !== 'string' || type.length === 0) return 'must be a non-empty string';
  if (type.length > MAX_EVENT_TYPE_LENGTH)
    return `${type.length} characters, over the ${MAX_EVENT_TYPE_LENGTH}-character limit`;
  if (!EVENT_TYPE_PATTERN.test(type))
    return 'use letters, digits and _ . : / - only, starting with a letter, digit or _ (e.g. "acme:note.added")';
  if (RESERVED_EVENT_TYPES.has(type))
    return 'is the name of an Object.prototype member; prefix it (e.g. "acme:constructor")';
  if (validTypes.size < VALID_TYPES_REMEMBERED) validTypes.add(type);
  return undefined;
}

function checkEnvelope(runId: string, e: NewEvent): void {
  const typeProblem = eventTypeProblem(e.type);
  if (typeProblem) throw new InvalidEventError(runId, String(e.type), 'type', typeProblem);
  if (e.at !== lastValidAt) {
    if (typeof e.at !== 'string' || !ISO_8601.test(e.at) || Number.isNaN(Date.parse(e.at)))
      throw new InvalidEventError(
        runId,
        e.type,
        'at',
        `${JSON.stringify(e.at) ?? String(e.at)} is not an ISO-8601 time; use new Date(ms).toISOString()`,
      );
    lastValidAt = e.at;
  }
  if (typeof e.id !== 'string' || e.id.length === 0 || e.id.length > MAX_EVENT_ID_LENGTH)
    throw new InvalidEventError(
      runId,
      e.type,
      'id',
      `must be a string of 1 to ${MAX_EVENT_ID_LENGTH} characters (got ${typeof e.id === 'string' ? `${e.id.length} characters` : typeof e.id})`,
    );
  if (e.v !== undefined && !(Number.isSafeInteger(e.v) && e.v >= 1))
    throw new InvalidEventError(runId, e.type, 'v', `must be a positive integer (got ${String(e.v)})`);
}

/**
 * `run.started`'s `metadata` becomes a column every store filters by, so it is held to the run
 * metadata rules (string keys to string values, bounded) before anything is written.
 */
function checkRunStarted(runId: string, e: NewEvent): void {
  if (e.type !== 'run.started') return;
  const metadata = (e.data as { metadata?: unknown } | null)?.metadata;
  if (metadata !== undefined) assertValidRunMetadata(runId, metadata);
}

/** Throws the typed error for the first value of `value` that JSON cannot hold faithfully. */
function checkJson(runId: string, type: string, root: 'data' | 'cost', value: unknown): void {
  const p = findJsonProblem(value, MAX_EVENT_DATA_DEPTH);
  if (!p) return;
  const where = formatJsonPath(root, p.path);
  if (p.kind === 'too_deep') throw new PayloadTooDeepError(runId, type, where, MAX_EVENT_DATA_DEPTH);
  const detail =
    p.kind === 'cycle' ? `refers back to ${formatJsonPath(root, p.refersTo ?? [])} (a cycle)` : p.problem;
  throw new InvalidEventDataError(runId, type, where, `${detail}; ${p.hint}`);
}

/**
 * Checks an event and serializes its data the way `encodeEvents` does, for a writer that needs
 * the text anyway (the engine copies payloads through it). Returns the text and a copy of the
 * event that carries it: appended unchanged, that copy is neither walked nor serialized again
 * (a copy made of it is). Throws `InvalidEventError`, `InvalidEventDataError` or
 * `PayloadTooDeepError`.
 */
export function encodeEventData(runId: string, event: NewEvent): { event: NewEvent; json: string } {
  checkEnvelope(runId, event);
  checkJson(runId, event.type, 'data', event.data);
  checkRunStarted(runId, event);
  const json = JSON.stringify(event.data);
  const checked = Object.assign(new CheckedEvent(json, isRedacted(event)), event) as unknown as NewEvent;
  return { event: checked, json };
}

/**
 * Redacts, versions, validates, serializes and size-checks events before a store writes
 * anything, so a bad event fails the whole append with nothing written. Every store calls
 * this before it writes.
 *
 * Validation: the run id; each event's `type` (a non-empty name of at most
 * MAX_EVENT_TYPE_LENGTH characters from `A-Z a-z 0-9 _ . : / -`, not an Object.prototype
 * member), `at` (ISO-8601), `id` and `v`; its data and cost must be plain JSON that survives
 * a round trip unchanged, nested at most MAX_EVENT_DATA_DEPTH levels; a `run.started`'s
 * `metadata` must be valid run metadata. The size limit counts data, cost, type, at and id.
 */
export function encodeEvents(
  runId: string,
  expectedSeq: number,
  events: readonly NewEvent[],
  opts: CodecOptions,
): RawEventRow[] {
  assertValidRunId(runId);
  return events.map((input, i) => {
    // An event from encodeEventData carries its checked text (the engine's events do); one the
    // writer redacted already (redactForStore) is not redacted twice.
    let data = CheckedEvent.usableText(input, opts.redact !== undefined);
    let e = input;
    if (data === undefined) {
      if (opts.redact && !isRedacted(input)) e = opts.redact(input, runId);
      checkEnvelope(runId, e);
      checkJson(runId, e.type, 'data', e.data);
      checkRunStarted(runId, e);
      data = JSON.stringify(e.data);
    }
    let cost: string | null = null;
    if (e.cost !== undefined) {
      checkJson(runId, e.type, 'cost', e.cost);
      cost = JSON.stringify(e.cost);
    }
    const bytes =
      Buffer.byteLength(data) +
      (cost === null ? 0 : Buffer.byteLength(cost)) +
      e.type.length +
      e.at.length +
      Buffer.byteLength(e.id);
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
