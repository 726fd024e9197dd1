/**
 * A child process of the agent crash matrix (packages/agent/test/agent-crash.test.ts): one
 * JSON argument, an `AgentCrashChildConfig`. Runs CrashOpsAgent on the OpenAI provider against
 * the parent's fake server, with the store wrapped in the crash harness's KillingStore, and
 * prints an `AgentCrashChildReport` as its last stdout line unless it was killed first.
 */
import { writeSync } from 'node:fs';
import { Agent, type AgentRun } from '@kestrion/agent';
import { RunBusyError, isTerminal, randomIds } from '@kestrion/core';
import { loadRunState } from '@kestrion/core/store-kit';
import { openai } from '@kestrion/openai';
import { openStore } from '@kestrion/store';
import { EffectLedger, KillingStore } from '@kestrion/testing';
import {
  type AgentCrashChildConfig,
  type AgentCrashChildReport,
  CRASH_INPUT,
  CRASH_MODEL,
} from './agent-crash-protocol';
import { CrashOpsAgent } from './crash-ops-agent';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(cfg: AgentCrashChildConfig): Promise<void> {
  const inner = await openStore(cfg.storeUrl);
  const store = new KillingStore(inner, { killAfterSeq: cfg.killAfterEvent });
  const ledger = new EffectLedger(cfg.ledger);
  const agent = new Agent(new CrashOpsAgent(ledger, cfg.killInsideTool), {
    provider: openai(CRASH_MODEL, { baseURL: cfg.baseURL, apiKey: 'test', maxRetries: 0 }),
    store,
    model: CRASH_MODEL,
    manifest: cfg.manifest,
    leaseTtlMs: cfg.leaseTtlMs,
    // The parent names the run, so it can follow it after this process is killed.
    ids: { newId: (prefix) => (prefix === 'run' ? cfg.runId : randomIds.newId(prefix)) },
  });
  const report: AgentCrashChildReport = {
    pid: process.pid,
    status: '',
    decisions: { approved: 0, retried: 0, supplied: 0 },
  };

  /** Resumes, waiting out a killed owner's lease. */
  const drive = async (): Promise<AgentRun> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        return await agent.resume(cfg.runId);
      } catch (error) {
        if (!(error instanceof RunBusyError) || Date.now() > deadline) throw error;
        await sleep(25);
      }
    }
  };

  /** A person settles every parked call: approves it, or checks the ledger for an unknown outcome. */
  const settle = async (run: AgentRun): Promise<void> => {
    for (const p of run.pending) {
      await agent.approve(cfg.runId, { callId: p.callId, by: 'alice', argsHash: p.argsHash });
      report.decisions.approved += 1;
    }
    if (run.unknownOutcomes.length === 0) return;
    const state = await loadRunState(inner, cfg.runId);
    for (const u of run.unknownOutcomes) {
      const key = state?.calls[u.callId]?.idempotencyKey;
      const done = key ? ledger.applied(key) : undefined;
      if (done) await agent.supplyToolResult(cfg.runId, u.callId, done.result ?? null, 'alice');
      else await agent.retryTool(cfg.runId, u.callId, 'alice');
      report.decisions[done ? 'supplied' : 'retried'] += 1;
    }
  };

  let run: AgentRun;
  if (cfg.mode === 'run') run = await agent.run(CRASH_INPUT);
  else {
    run = await drive();
    for (let round = 0; round < 8 && !isTerminal(run.status); round++) {
      await settle(run);
      run = await drive();
    }
  }
  report.status = run.status;
  writeSync(1, JSON.stringify(report) + '\n');
  await inner.close();
}

main(JSON.parse(process.argv[2] ?? '{}') as AgentCrashChildConfig).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
