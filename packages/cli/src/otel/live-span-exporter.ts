import { type RunObserver, type StoredEvent, type Store, traceRun } from '@kestrion/core';
import { type RunSpanOptions, runSpans } from './run-spans';
import type { SpanSink } from './span-export';

/** Events other processes append to a parked run (decisions): what follows them was not exported yet. */
const DECISIONS = new Set([
  'approval.granted',
  'approval.rejected',
  'run.cancel_requested',
  'tool.retry_approved',
  'run.input',
]);

/** The span keys that had ended by the last event a driver wrote (a previous drive exported them). */
function exportedBefore(prefix: StoredEvent[], options: RunSpanOptions): Set<string> {
  let cut = prefix.length;
  while (cut > 0 && DECISIONS.has(prefix[cut - 1]?.type ?? '')) cut -= 1;
  if (cut === 0) return new Set();
  return new Set(
    runSpans(traceRun(prefix.slice(0, cut)), options)
      .filter((s) => s.endMs !== undefined)
      .map((s) => s.key),
  );
}

/** A `RunObserver` for one drive that exports spans as they end; `settle()` once the drive returns. */
export interface LiveSpanObserver extends RunObserver {
  settle(): Promise<void>;
}

/**
 * Exports a run's spans while it is driven, as their events commit: each span once it has ended
 * (a model call at its response, a tool call at its outcome, a wait when the run moves on, the
 * root `invoke_agent` when the run ends). Ids are the same as `runSpans` gives, so the spans of
 * one run exported by several drives, processes or a later `kestrion trace --otel` join one
 * trace. What ended before the drive was watched (by a process without this exporter) is not
 * sent; `kestrion trace --otel` sends the whole run at any time.
 */
export class LiveSpanExporter {
  constructor(
    private readonly sink: SpanSink,
    private readonly store: Store,
    private readonly options: RunSpanOptions = {},
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** An observer for one drive of one run. */
  observe(): LiveSpanObserver {
    let events: StoredEvent[] | undefined;
    let exported = new Set<string>();
    let chain = Promise.resolve();
    const handle = async (batch: StoredEvent[]) => {
      const first = batch[0];
      if (!first) return;
      if (events === undefined) {
        const prefix: StoredEvent[] = [];
        for await (const e of this.store.readEvents(first.runId)) {
          if (e.seq >= first.seq) break;
          prefix.push(e);
        }
        exported = exportedBefore(prefix, this.options);
        events = prefix;
      }
      events.push(...batch);
      const fresh = runSpans(traceRun(events), this.options).filter(
        (s) => s.endMs !== undefined && !exported.has(s.key),
      );
      for (const s of fresh) exported.add(s.key);
      this.sink.emit(fresh);
    };
    return {
      onEvents: (batch) => {
        chain = chain.then(() => handle(batch)).catch(this.onError);
      },
      settle: async () => {
        await chain;
        await this.sink.flush().catch(this.onError);
      },
    };
  }
}
