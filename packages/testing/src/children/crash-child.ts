/**
 * A child process for the crash harness (`crash/crash-harness.ts`): one JSON argument, a
 * `CrashChildConfig`. Drives the crash scenario against a store URL and prints a
 * `CrashChildReport` as its last stdout line, unless it was told to die first.
 */
import { writeSync } from 'node:fs';
import { Engine, KestrionError, RunBusyError, isTerminal, recoverRuns, type Store } from '@kestrion/core';
import { loadRunState } from '@kestrion/core/store-kit';
import { openStore } from '@kestrion/store';
import { EffectLedger } from '../crash/effect-ledger';
import type { ChildRunResult, CrashChildConfig, CrashChildReport } from '../crash/crash-protocol';
import { crashScenario } from '../crash/crash-scenario';
import { KillingStore } from '../crash/killing-store';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (line: string) => writeSync(1, line + '\n');

async function main(cfg: CrashChildConfig): Promise<void> {
  const inner = await openStore(cfg.storeUrl);
  const store: Store = new KillingStore(inner, {
    killAfterSeq: cfg.killAfterEvent,
    stopAfterSeq: cfg.stopAfterEvent,
    onAppended: (r) => (cfg.mode === 'append' ? say(`appended ${r.headSeq}`) : undefined),
  });
  const ledger = new EffectLedger(cfg.ledger);
  const { graph, provider } = crashScenario(cfg.scenario, ledger, cfg);
  const engine = new Engine({ store, graph, provider, leaseTtlMs: cfg.leaseTtlMs });
  const report: CrashChildReport = {
    pid: process.pid,
    owner: engine.owner,
    results: [],
    decisions: { approved: 0, retried: 0, supplied: 0 },
  };
  if (cfg.waitForGo) {
    say('ready');
    await new Promise<void>((res) => process.stdin.once('data', () => res()));
    process.stdin.destroy();
  }

  /** Drives once, waiting out another owner's lease for up to busyWaitMs. */
  const drive = async (runId: string): Promise<ChildRunResult> => {
    const deadline = Date.now() + (cfg.busyWaitMs ?? 15_000);
    for (;;) {
      try {
        const v = await engine.resume(runId);
        return { runId, status: v.status, ...(v.waitingReason ? { waitingReason: v.waitingReason } : {}) };
      } catch (error) {
        if (error instanceof RunBusyError && Date.now() < deadline) await sleep(25);
        else if (error instanceof RunBusyError) return { runId, busy: true };
        else if (error instanceof KestrionError)
          return { runId, error: { code: error.code, message: error.message } };
        else throw error;
      }
    }
  };

  /** A person settles every parked call: approve it, or look in the ledger for an unknown outcome. */
  const settle = async (runId: string): Promise<boolean> => {
    const s = await loadRunState(store, runId);
    if (!s || s.status !== 'waiting_on_human') return false;
    for (const call of Object.values(s.calls)) {
      if (call.status === 'awaiting_approval') {
        await engine.approve(runId, { callId: call.callId, by: 'alice', argsHash: call.argsHash });
        report.decisions.approved += 1;
      } else if (call.status === 'outcome_unknown' && !call.retryApproved) {
        const done = call.idempotencyKey ? ledger.applied(call.idempotencyKey) : undefined;
        if (done) await engine.supplyToolResult(runId, call.callId, done.result ?? null, 'alice');
        else await engine.retryTool(runId, call.callId, 'alice');
        report.decisions[done ? 'supplied' : 'retried'] += 1;
      }
    }
    return true;
  };

  const runIds = cfg.runIds ?? [];
  if (cfg.mode === 'run' || cfg.mode === 'start') {
    const runId = await engine.start('scale web', cfg.newRunId ? { runId: cfg.newRunId } : {});
    say(`started ${runId}`);
    if (cfg.mode === 'start') process.kill(process.pid, 'SIGKILL');
    report.results.push(await drive(runId));
  } else if (cfg.mode === 'resume') {
    for (const runId of runIds) report.results.push(await drive(runId));
  } else if (cfg.mode === 'approve') {
    for (const runId of runIds) {
      await settle(runId);
      report.results.push(await drive(runId));
    }
  } else if (cfg.mode === 'finish') {
    for (const runId of runIds) {
      let last: ChildRunResult = { runId };
      for (let round = 0; round < 8; round++) {
        last = await drive(runId);
        if (last.status && isTerminal(last.status)) break;
        if (!(await settle(runId)) && last.busy) break;
      }
      report.results.push(last);
    }
  } else if (cfg.mode === 'recover') {
    const deadline = Date.now() + (cfg.busyWaitMs ?? 15_000);
    for (;;) {
      const swept = await recoverRuns(engine);
      for (const v of swept.recovered) report.results.push({ runId: v.runId, status: v.status });
      for (const f of swept.failed)
        report.results.push({ runId: f.runId, error: { code: f.error.code, message: f.error.message } });
      const runs = await Promise.all(runIds.map((id) => store.getRun(id)));
      if (runs.every((r) => r && isTerminal(r.status)) || Date.now() > deadline) break;
      await sleep(50);
    }
  } else {
    const runId = runIds[0] ?? 'append-run';
    let head = (await store.getRun(runId))?.headSeq ?? 0;
    for (;;) {
      const event = {
        id: `e-${process.pid}-${head + 1}`,
        type: 'node.entered',
        at: new Date().toISOString(),
      };
      head = (await store.append(runId, head, [{ ...event, data: { node: 'n', visit: head + 1 } }])).headSeq;
    }
  }
  say(JSON.stringify(report));
  await inner.close();
}

main(JSON.parse(process.argv[2] ?? '{}') as CrashChildConfig).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
