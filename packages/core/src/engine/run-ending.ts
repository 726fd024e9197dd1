import type { ErrorInfo, WaitingReason } from '../events/event-types';
import type { Json } from '../util/json';
import type { Draft } from './run-writer';

/**
 * The only constructors of the events that park or end a run. The driver, the node runtime,
 * the tool batch and the approval deciders build them here, and a RunWriter appends them
 * (`park`, `fail`, `complete`, `cancel`) together with the events that lead to them, in one
 * append: where a run stops is decided in one place (see state/run-lifecycle.ts for what each
 * does to the run's status).
 */
export const runEnding = {
  park: (reason: WaitingReason, node: string): Draft => ({ type: 'run.waiting', data: { reason, node } }),
  throttle: (node: string, bucket: string, reason: string, untilMs: number): Draft => ({
    type: 'run.throttled',
    data: { node, bucket, reason, untilMs },
  }),
  fail: (error: ErrorInfo): Draft => ({ type: 'run.failed', data: { error } }),
  complete: (output: Json): Draft => ({ type: 'run.completed', data: { output } }),
  cancel: (by: string): Draft => ({ type: 'run.cancelled', data: { by } }),
} as const;
