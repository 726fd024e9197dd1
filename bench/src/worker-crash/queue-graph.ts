import { mkdirSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { END, defineGraph, type Graph, type ToolResult } from '@kestrion/core';
import { EffectLedger } from '@kestrion/testing';
import { QUEUE_AGENT, type QueueGraphOptions, ledgerPath } from './worker-crash-protocol';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Told when a node execution starts; what it returns is called when that execution returns. */
export type NodeHook = (runId: string, node: string) => () => void;

/** The effect ledger of one run (a file of its own, so reading it stays cheap at any queue size). */
export function runLedger(dir: string, runId: string): EffectLedger {
  return new EffectLedger(ledgerPath(dir, runId));
}

/**
 * The queue's agent: `work` calls `lookup` (idempotent: it honours its idempotency key, a second
 * attempt changes nothing), awaits a few ms, calls `charge` (non-idempotent: it applies blindly),
 * then `done` ends the run. Every invocation lands in the run's ledger with the call's
 * idempotency key and the pid of the process that made it.
 */
export function queueGraph(dir: string, opts: QueueGraphOptions, onNode?: NodeHook): Graph {
  mkdirSync(dirname(ledgerPath(dir, 'any-run')), { recursive: true });
  const [minMs, maxMs] = opts.awaitMs;
  return defineGraph({
    name: QUEUE_AGENT,
    start: 'work',
    tools: [
      {
        name: 'lookup',
        idempotent: true,
        invoke: (args, call) => {
          const ledger = runLedger(dir, call.runId);
          const done = ledger.applied(call.idempotencyKey);
          const result = done?.result ?? { found: args };
          ledger.record({
            kind: 'tool',
            name: 'lookup',
            runId: call.runId,
            key: call.idempotencyKey,
            applied: !done,
            result,
          });
          return result;
        },
      },
      {
        name: 'charge',
        invoke: async (args, call) => {
          const result = { charged: args };
          runLedger(dir, call.runId).record({
            kind: 'tool',
            name: 'charge',
            runId: call.runId,
            key: call.idempotencyKey,
            applied: true,
            result,
          });
          if (opts.announceCharge) writeSync(1, `in-tool charge ${call.runId}\n`);
          if (opts.slowChargeMs) await sleep(opts.slowChargeMs);
          return result;
        },
      },
    ],
    nodes: {
      work: async (ctx) => {
        const returned = onNode?.(ctx.runId, 'work');
        const found = await ctx.callTool('lookup', { order: ctx.input });
        await sleep(minMs + Math.floor(Math.random() * (maxMs - minMs + 1)));
        const charged = await ctx.callTool('charge', { order: ctx.input });
        returned?.();
        return { next: 'done', patch: { set: { found: outcome(found), charged: outcome(charged) } } };
      },
      done: async (ctx) => {
        onNode?.(ctx.runId, 'done')();
        return { next: END, output: { charged: ctx.state.charged ?? null } };
      },
    },
  });
}

function outcome(r: ToolResult): string {
  return r.status;
}
