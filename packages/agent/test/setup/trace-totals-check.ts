import { InMemoryStore, type Store, type StoredEvent, traceRun } from '@kestrion/core';
import { foldEvents } from '@kestrion/core/store-kit';
import { KyselyStore } from '@kestrion/store';

/**
 * Issue 13's bar, held for the whole agent suite: for every run any agent test writes (to an
 * in-memory, SQLite or PostgreSQL store), `trace(runId)` totals equal the fold's totals. The
 * stores' `append` is wrapped to remember (store, run); after each test every remembered run
 * is read back and compared. A run the test purged or a store it closed is skipped.
 */
const written = new Map<Store, Set<string>>();
let checkedRuns = 0;
// Registered for every test file (jest has one setup list); active in the agent suite only.
const active = (expect.getState().testPath ?? '').includes(`${'/packages/agent/test/'}`);

if (active)
  for (const proto of [InMemoryStore.prototype, KyselyStore.prototype] as Store[]) {
    const append = proto.append;
    proto.append = function (this: Store, runId, expectedSeq, events, options) {
      let runs = written.get(this);
      if (!runs) written.set(this, (runs = new Set()));
      runs.add(runId);
      return append.call(this, runId, expectedSeq, events, options);
    };
  }

async function readable(store: Store, runId: string): Promise<StoredEvent[] | undefined> {
  try {
    const events: StoredEvent[] = [];
    for await (const e of store.readEvents(runId)) events.push(e);
    return events;
  } catch {
    return undefined; // closed, purged, or made corrupt on purpose by the test
  }
}

afterEach(async () => {
  if (!active) return;
  const mismatches: string[] = [];
  for (const [store, runs] of written)
    for (const runId of runs) {
      const events = await readable(store, runId);
      if (!events || events.length === 0) continue;
      const fold = foldEvents(undefined, events);
      if (!fold) continue;
      checkedRuns += 1;
      const traced = traceRun(events).totals;
      if (JSON.stringify(traced) !== JSON.stringify(fold.totals))
        mismatches.push(`${runId}: trace ${JSON.stringify(traced)} vs fold ${JSON.stringify(fold.totals)}`);
    }
  written.clear();
  expect(mismatches).toEqual([]);
});

afterAll(() => {
  // KESTRION_TRACE_CHECK_VERBOSE=1 shows how many runs each file checked (a check on nothing
  // would pass silently).
  if (active && process.env.KESTRION_TRACE_CHECK_VERBOSE)
    process.stderr.write(`trace totals checked on ${checkedRuns} runs: ${expect.getState().testPath}\n`);
});
