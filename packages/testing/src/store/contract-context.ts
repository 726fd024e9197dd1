import { randomUUID } from 'node:crypto';
import type { EventPayloads, NewEvent, Store } from '@kestrion/core';
import type { StoreFactory } from './store-factory';

/** Shared by the parts of the contract suite: the store under test and event helpers. */
export interface ContractContext {
  factory: StoreFactory;
  /** The store opened for the suite (valid inside tests). */
  store(): Store;
  newRunId(label?: string): string;
}

let clockMs = Date.UTC(2026, 0, 1);

/** A fresh event with a unique id and a strictly increasing timestamp. */
export function ev<K extends keyof EventPayloads>(
  type: K,
  data: EventPayloads[K],
  extra: Partial<NewEvent> = {},
): NewEvent {
  clockMs += 1;
  return {
    id: randomUUID(),
    type,
    at: new Date(clockMs).toISOString(),
    data: data as NewEvent['data'],
    ...extra,
  };
}

export function started(agent = 'contract', extra: Partial<EventPayloads['run.started']> = {}): NewEvent {
  return ev('run.started', { agent, input: 'hello', ...extra });
}

export function entered(node: string, visit: number): NewEvent {
  return ev('node.entered', { node, visit });
}

/** Appends `n` node events after a start, one batch; returns the head. */
export async function seedRun(store: Store, runId: string, n: number): Promise<number> {
  const events = [started(), ...Array.from({ length: n }, (_, i) => entered(`n${i}`, i + 1))];
  return (await store.append(runId, 0, events)).headSeq;
}

export async function readAll(store: Store, runId: string, fromSeq = 1) {
  const out = [];
  for await (const e of store.readEvents(runId, { fromSeq })) out.push(e);
  return out;
}
