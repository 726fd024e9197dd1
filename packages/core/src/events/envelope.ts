import type { Json } from '../util/json';

/** Usage and price of one step (a model call); summed into the run's totals by the fold. */
export interface EventCost {
  usd: number | null;
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
}

/**
 * An event as a writer hands it to `Store.append`. `id` makes a re-sent append idempotent;
 * `seq` is assigned by position (expectedSeq + 1, + 2, ...).
 */
export interface NewEvent {
  id: string;
  type: string;
  /** Schema version of this event type; defaults to the registry's current version. */
  v?: number;
  /** ISO-8601 time from the writer's Clock. */
  at: string;
  data: Json;
  cost?: EventCost;
}

/** An event as stored and read back: seq is contiguous from 1 within its run. */
export interface StoredEvent {
  runId: string;
  seq: number;
  id: string;
  type: string;
  v: number;
  at: string;
  data: Json;
  cost?: EventCost;
}

/** A row as a store keeps it: payloads serialized, nothing interpreted yet. */
export interface RawEventRow {
  runId: string;
  seq: number;
  id: string;
  type: string;
  v: number;
  at: string;
  data: string;
  cost: string | null;
}
