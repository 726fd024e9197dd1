// @kestrion/scheduler — the public API. Every export here is a decision; keep the list explicit.
export { Worker } from './worker';
export type { WorkerOptions, WorkerStopReport, WorkerState } from './worker';
export type { WorkerAgent } from './worker-agents';
export { WorkerMetrics } from './worker-metrics';
export type { QueueDepth } from './worker-metrics';
export type { RunnableWakeups } from './runnable-wakeups';
export { startProbeServer, probePort } from './probe-server';
export type { ProbeServerOptions } from './probe-server';
export { stopOnSignals } from './stop-on-signals';
export type { StopOnSignalsOptions } from './stop-on-signals';
