/**
 * The approver of the scale bench, a process of its own: argv[2] is a ScaleApproverConfig.
 * It finds runs parked on an approval with `store.listRuns({ waitingApprovals: true })` and
 * approves each pending call with `engine.approve(runId, { callId, by, argsHash })`, as a
 * person's tool would. Prints `ready`; on the stdin line `stop` (drain mode) or once done
 * (paced mode) prints `report <json>` and exits.
 */
import { writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Engine, isTerminal, type Store } from '@kestrion/core';
import { openStore } from '@kestrion/store';
import { scaleGraph } from './scale-graph';
import {
  SCALE_AGENT,
  SCALE_APPROVER,
  type ScaleApproval,
  type ScaleApproverConfig,
  type ScaleApproverReport,
} from './scale-protocol';

const say = (line: string): void => void writeSync(1, `${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs parked on an approval, oldest first (up to `limit`; all pages when absent). */
async function parkedRuns(store: Store, limit?: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listRuns({
      agent: SCALE_AGENT,
      status: 'waiting_on_human',
      waitingApprovals: true,
      limit: Math.min(limit ?? 500, 500),
      ...(cursor ? { cursor } : {}),
    });
    ids.push(...page.runs.map((r) => r.runId));
    cursor = limit === undefined ? page.nextCursor : undefined;
  } while (cursor);
  return ids;
}

class Approver {
  readonly report: ScaleApproverReport = {
    approved: 0,
    errors: 0,
    firstErrors: [],
    approvals: [],
    peakRssBytes: 0,
  };

  constructor(private readonly engine: Engine) {}

  /** Approves every pending call of the run; returns the approval's times. */
  async approve(runId: string): Promise<ScaleApproval | undefined> {
    try {
      const view = await this.engine.get(runId);
      const sentMs = Date.now();
      for (const p of view.pending)
        await this.engine.approve(runId, { callId: p.callId, by: SCALE_APPROVER, argsHash: p.argsHash });
      this.report.approved += view.pending.length;
      return { runId, sentMs, doneMs: Date.now() };
    } catch (error) {
      this.report.errors += 1;
      if (this.report.firstErrors.length < 5) this.report.firstErrors.push(`${runId}: ${String(error)}`);
      return undefined;
    }
  }
}

/** Approves whatever is parked, `concurrency` at a time, until `stopped()`. */
async function drain(store: Store, approver: Approver, cfg: ScaleApproverConfig, stopped: () => boolean) {
  const inFlight = new Set<string>();
  while (!stopped()) {
    const found = (await parkedRuns(store, 200)).filter((id) => !inFlight.has(id));
    if (found.length === 0) {
      await sleep(cfg.pollMs);
      continue;
    }
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < found.length) {
        const runId = found[next++] as string;
        inFlight.add(runId);
        await approver.approve(runId);
        inFlight.delete(runId);
      }
    };
    await Promise.all(Array.from({ length: cfg.concurrency }, lane));
  }
}

/** Waits for `expected` parked runs, then approves them one by one, each on an idle worker. */
async function paced(store: Store, approver: Approver, cfg: ScaleApproverConfig): Promise<void> {
  let ids = await parkedRuns(store);
  while (ids.length < (cfg.expected ?? 0)) {
    await sleep(cfg.pollMs);
    ids = await parkedRuns(store);
  }
  for (const runId of ids) {
    await sleep(cfg.gapMs ?? 0);
    const approval = await approver.approve(runId);
    if (approval) approver.report.approvals.push(approval);
    for (;;) {
      const run = await store.getRun(runId);
      if (!run || isTerminal(run.status)) break;
      await sleep(5);
    }
  }
}

async function main(cfg: ScaleApproverConfig): Promise<void> {
  let stopped = false;
  createInterface({ input: process.stdin })
    .on('line', (line) => line.trim() === 'stop' && (stopped = true))
    .on('close', () => (stopped = true));
  const store = await openStore(cfg.storeUrl);
  const approver = new Approver(new Engine({ store, graph: scaleGraph(), owner: `approver:${process.pid}` }));
  const rss = setInterval(() => {
    approver.report.peakRssBytes = Math.max(approver.report.peakRssBytes, process.memoryUsage().rss);
  }, 100);
  say('ready');
  if (cfg.mode === 'drain') await drain(store, approver, cfg, () => stopped);
  else await paced(store, approver, cfg);
  clearInterval(rss);
  say(`report ${JSON.stringify(approver.report)}`);
  await store.close();
  process.exit(0);
}

main(JSON.parse(process.argv[2] ?? '{}') as ScaleApproverConfig).catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
