/**
 * A child process of the worker reliability trials (`worker-fleet.ts`): one JSON argument, a
 * `WorkerChildConfig`. Opens the store by URL behind a `JournalStore`, and either runs a
 * `Worker` (with `stopOnSignals`: SIGTERM stops it gracefully and exits 0; optionally the probe
 * server) or sweeps with `recoverRuns` in a loop until SIGTERM (exit 0) or SIGKILL. Prints
 * `ready <owner> <port>` once it claims, `error <name> <code> <runId>` for every error the
 * worker reports, and `stopped <report>` before a graceful exit.
 */
import { writeSync } from 'node:fs';
import { Engine, KestrionError, recoverRuns } from '@kestrion/core';
import { Worker, probePort, startProbeServer, stopOnSignals } from '@kestrion/scheduler';
import { openStore } from '@kestrion/store';
import { JournalStore, journalPath } from './journal-store';
import { queueGraph } from './queue-graph';
import { type WorkerChildConfig, ownerOf } from './worker-crash-protocol';

const say = (line: string) => writeSync(1, line + '\n');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function errorKey(error: unknown): string {
  if (error instanceof KestrionError) return `${error.name} ${error.code}`;
  return `${(error as Error)?.name ?? 'Error'} untyped`;
}

async function main(cfg: WorkerChildConfig): Promise<void> {
  // The parent is gone (its end of stdin closed): nobody will ever stop this process, so go.
  process.stdin.on('end', () => process.exit(2)).resume();
  const owner = ownerOf(cfg.label, process.pid);
  const store = new JournalStore(await openStore(cfg.storeUrl), journalPath(cfg.dir, owner));
  const graph = queueGraph(cfg.dir, cfg.graph, (runId, node) => {
    const started = {
      k: 'node',
      run: runId,
      owner,
      epoch: store.epochOf(runId),
      node,
      s: Date.now(),
    } as const;
    store.write(started);
    return () => store.write({ ...started, e: Date.now() });
  });
  const engine = new Engine({ store, graph, owner, leaseTtlMs: cfg.leaseTtlMs });

  if (cfg.role === 'sweeper') {
    // SIGTERM: finish the sweep in progress, then exit 0.
    let stopping = false;
    process.once('SIGTERM', () => (stopping = true));
    say(`ready ${owner} 0`);
    while (!stopping) {
      const report = await recoverRuns(engine).catch(
        (e: unknown) => (say(`error ${errorKey(e)} -`), undefined),
      );
      for (const f of report?.failed ?? []) say(`error ${errorKey(f.error)} ${f.runId}`);
      if (report && report.recovered.length > 0) say(`swept ${report.recovered.length}`);
      await sleep(20);
    }
    process.exit(0);
  }

  const worker = new Worker({
    agents: [engine],
    owner,
    concurrency: cfg.concurrency ?? 8,
    idlePoll: cfg.idlePoll ?? { minMs: 10, maxMs: 100 },
    shutdownGraceMs: cfg.graceMs ?? 5_000,
    onError: (error, runId) => say(`error ${errorKey(error)} ${runId ?? '-'}`),
  });
  const server = cfg.probe ? await startProbeServer(worker, { port: 0, host: '127.0.0.1' }) : undefined;
  stopOnSignals(worker, {
    onStopped: (report) => {
      say(`stopped ${JSON.stringify(report)}`);
      server?.close();
    },
  });
  await worker.start();
  say(`ready ${owner} ${server ? probePort(server) : 0}`);
}

main(JSON.parse(process.argv[2] ?? '{}') as WorkerChildConfig).catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
