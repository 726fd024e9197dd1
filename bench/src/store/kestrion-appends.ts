import type { NewEvent, Store } from '@kestrion/core';
import { benchEvent } from './bench-rows';

/** Events 1..count of a run, built before the clock starts (the raw side gets prebuilt rows too). */
export function benchEvents(runId: string, count: number): NewEvent[] {
  return Array.from({ length: count }, (_, i) => benchEvent(runId, i + 1));
}

/** Single-event appends, one after another, on one run. */
export async function appendOneByOne(store: Store, runId: string, events: NewEvent[]): Promise<void> {
  let head = 0;
  for (const e of events) head = (await store.append(runId, head, [e])).headSeq;
}

/** Every run appends its events one at a time, all runs at once. */
export async function appendConcurrently(store: Store, runs: Map<string, NewEvent[]>): Promise<void> {
  await Promise.all([...runs].map(([runId, events]) => appendOneByOne(store, runId, events)));
}

/** Fills a run with `count` events in appends of `chunk` events (setup for the read bench). */
export async function fillRun(store: Store, runId: string, count: number, chunk: number): Promise<void> {
  for (let head = 0; head < count;) {
    const events = Array.from({ length: Math.min(chunk, count - head) }, (_, i) =>
      benchEvent(runId, head + i + 1),
    );
    head = (await store.append(runId, head, events)).headSeq;
  }
}

export function concurrentEvents(runs: number, perRun: number, prefix: string): Map<string, NewEvent[]> {
  const out = new Map<string, NewEvent[]>();
  for (let r = 0; r < runs; r++) out.set(`${prefix}-${r}`, benchEvents(`${prefix}-${r}`, perRun));
  return out;
}
