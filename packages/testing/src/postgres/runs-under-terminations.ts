import { END, Engine, KestrionError, type Store, defineGraph } from '@kestrion/core';
import { terminateBackendsEvery } from './backend-terminator';

export interface TerminationTrialOptions {
  /** The store under test (PostgreSQL) and the URL of its database, for the terminator. */
  store: Store;
  url: string;
  /** How long backends are terminated for. */
  churnMs: number;
  /** Terminate every this many ms (default 25). */
  everyMs?: number;
  /** Runs driven at once (default 8). */
  workers?: number;
}

export interface TerminationTrialReport {
  runsStarted: number;
  /** Runs that completed while backends were being terminated. */
  completedDuringChurn: number;
  /** Runs found completed in the database at the end. */
  runsCompleted: number;
  /** Runs in the database that did not complete (must be 0). */
  runsNotCompleted: number;
  backendsTerminated: number;
  /** Errors the drivers caught, by `name(retryable): what` (typed) or `untyped:<name>: <message>`. */
  errors: Record<string, number>;
  /** Errors that were not retryable Kestrion errors (must be empty). */
  unexpected: string[];
  durationMs: number;
}

const AGENT = 'terminated-backends';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Four steps, one of them an idempotent tool call: safe to redo after any lost write. */
const graph = defineGraph({
  name: AGENT,
  start: 'a',
  tools: [{ name: 'echo', idempotent: true, invoke: (args) => args }],
  nodes: {
    a: async () => ({ next: 'b', patch: { set: { a: 1 } } }),
    b: async (ctx) => {
      const r = await ctx.callTool('echo', { n: 2 });
      return { next: 'c', patch: { set: { b: r.status } } };
    },
    c: async () => ({ next: 'd', patch: { set: { c: 3 } } }),
    d: async () => ({ next: END, output: 'done' }),
  },
});

/**
 * Drives runs through the Engine on PostgreSQL while another connection terminates the
 * store's backends every `everyMs`; then stops terminating and resumes every run that did not
 * end. A process that survives its database: no uncaught error, every error a driver sees
 * typed and retryable, and every run started completes once the database is back.
 */
export async function runsUnderTerminations(opts: TerminationTrialOptions): Promise<TerminationTrialReport> {
  const t0 = Date.now();
  const engine = new Engine({ store: opts.store, graph, leaseTtlMs: 2000 });
  const errors: Record<string, number> = {};
  const unexpected: string[] = [];
  const note = (e: unknown) => {
    const key =
      e instanceof KestrionError
        ? `${e.name}(${e.retryable ? 'retryable' : 'final'}): ${e.message.split(':')[0]}`
        : `untyped:${(e as Error)?.name}: ${(e as Error)?.message}`;
    errors[key] = (errors[key] ?? 0) + 1;
    if (!(e instanceof KestrionError && e.retryable) && unexpected.length < 20) unexpected.push(key);
  };
  let started = 0;
  let completedDuringChurn = 0;
  const terminator = await terminateBackendsEvery(opts.url, opts.everyMs ?? 25);
  const churnEnd = Date.now() + opts.churnMs;
  const worker = async () => {
    while (Date.now() < churnEnd) {
      const runId = await engine.start('go').catch((e: unknown) => void note(e));
      if (!runId) continue;
      started += 1;
      while (Date.now() < churnEnd) {
        const view = await engine.resume(runId).catch((e: unknown) => void note(e));
        if (view?.status === 'completed') {
          completedDuringChurn += 1;
          break;
        }
        if (view) throw new Error(`run ${runId} ended ${view.status}`);
        await sleep(5);
      }
    }
  };
  let backendsTerminated = 0;
  try {
    await Promise.all(Array.from({ length: opts.workers ?? 8 }, worker));
  } finally {
    backendsTerminated = await terminator.stop();
  }
  // The database is back: every run that has not ended is resumed (retryable errors retried).
  const deadline = Date.now() + 30_000;
  for (;;) {
    const open = await listAll(opts.store, ['pending', 'running']);
    if (open.length === 0 || Date.now() > deadline) break;
    for (const runId of open) await engine.resume(runId).catch((e: unknown) => void note(e));
  }
  const runsCompleted = (await listAll(opts.store, ['completed'])).length;
  const all = (await listAll(opts.store)).length;
  return {
    runsStarted: started,
    completedDuringChurn,
    runsCompleted,
    runsNotCompleted: all - runsCompleted,
    backendsTerminated,
    errors,
    unexpected,
    durationMs: Date.now() - t0,
  };
}

async function listAll(store: Store, status?: Array<'pending' | 'running' | 'completed'>): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listRuns({
      agent: AGENT,
      limit: 500,
      ...(status ? { status } : {}),
      ...(cursor ? { cursor } : {}),
    });
    ids.push(...page.runs.map((r) => r.runId));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}
