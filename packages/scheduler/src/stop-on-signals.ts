import type { Worker, WorkerStopReport } from './worker';

export interface StopOnSignalsOptions {
  signals?: NodeJS.Signals[];
  /** Grace for the steps in flight (default: the worker's `shutdownGraceMs`). */
  graceMs?: number;
  /** Called with the stop report before the process exits (log it). */
  onStopped?: (report: WorkerStopReport, signal: NodeJS.Signals) => void;
  /** Exit the process once stopped (default true): code 0, even when runs were abandoned (their leases lapse and another worker takes them). */
  exit?: boolean;
}

/**
 * SIGTERM (Kubernetes deleting the pod) and SIGINT (Ctrl-C) stop the worker gracefully and
 * exit 0. A second signal while stopping exits at once with 130 (runs in flight lose their
 * leases by expiry; nothing durable is lost, a started call is settled by the next driver).
 * Returns a function that removes the handlers.
 */
export function stopOnSignals(worker: Worker, options: StopOnSignalsOptions = {}): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.exit(130);
    }
    stopping = true;
    void worker.stop(options.graceMs).then((report) => {
      options.onStopped?.(report, signal);
      if (options.exit ?? true) process.exit(0);
    });
  };
  for (const s of signals) process.on(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}
