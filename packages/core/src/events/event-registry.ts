import { UnsupportedVersionError } from '../errors';
import type { Json } from '../util/json';
import type { EventType } from './event-types';

/** Turns a payload of version `from` into version `from + 1`. */
export type Upcaster = (data: Json) => Json;

export interface EventTypeSpec {
  /** The version writers emit today. */
  version: number;
  /** upcasters[n] lifts a v`n` payload to v`n+1`. */
  upcasters?: Record<number, Upcaster>;
}

/**
 * Versions and upcasters per event type. Old events are upcast on read (stored rows stay
 * byte-identical); an event newer than the registry refuses the run with
 * `UnsupportedVersionError` — never skipped silently.
 */
export class EventRegistry {
  private readonly specs = new Map<string, EventTypeSpec>();

  constructor(specs: Record<string, EventTypeSpec> = {}) {
    for (const [type, spec] of Object.entries(specs)) this.register(type, spec);
  }

  register(type: string, spec: EventTypeSpec): this {
    this.specs.set(type, spec);
    return this;
  }

  currentVersion(type: string): number {
    return this.specs.get(type)?.version ?? 1;
  }

  /** Returns the payload lifted to the current version of its type. */
  upcast(runId: string, seq: number, type: string, v: number, data: Json): { v: number; data: Json } {
    const spec = this.specs.get(type);
    const current = spec?.version ?? 1;
    if (v > current) throw new UnsupportedVersionError(runId, seq, type, v, current);
    let out = data;
    for (let from = v; from < current; from++) {
      // Own properties only: a spec's upcasters object must not offer its prototype's members.
      const step = spec?.upcasters && Object.hasOwn(spec.upcasters, from) ? spec.upcasters[from] : undefined;
      if (!step) throw new UnsupportedVersionError(runId, seq, type, v, current);
      out = step(out);
    }
    return { v: current, data: out };
  }
}

const CORE_TYPES: EventType[] = [
  'run.started',
  'run.input',
  'node.entered',
  'state.patched',
  'llm.requested',
  'llm.completed',
  'llm.failed',
  'tool.requested',
  'approval.requested',
  'approval.granted',
  'approval.rejected',
  'approval.expired',
  'tool.started',
  'tool.completed',
  'tool.failed',
  'tool.outcome_unknown',
  'tool.retry_approved',
  'tool.suspended',
  'run.waiting',
  'run.throttled',
  'run.completed',
  'run.failed',
  'run.cancel_requested',
  'run.cancelled',
  'run.forked',
];

/** The registry of Kestrion's own event types at their current versions. */
export function defaultEventRegistry(): EventRegistry {
  const registry = new EventRegistry();
  for (const type of CORE_TYPES) registry.register(type, { version: 1 });
  // v2 added an optional `patch`; a v1 event is a v2 event without one. A process still on v1
  // refuses v2 events (it would drop their patch) instead of folding them wrong.
  registry.register('node.entered', { version: 2, upcasters: { 1: (data) => data } });
  // v2 edits carry the chain the edited arguments need; a v1 process would keep the old chain
  // and could run an edit with fewer approvals than its policy asks, so it must refuse them.
  registry.register('approval.granted', { version: 2, upcasters: { 1: (data) => data } });
  // v2 forks revoke copied grants; a v1 process would let the source's grants run in the fork.
  registry.register('run.forked', { version: 2, upcasters: { 1: (data) => data } });
  return registry;
}
