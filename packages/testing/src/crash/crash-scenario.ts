import { writeSync } from 'node:fs';
import {
  END,
  defineGraph,
  type Graph,
  type Json,
  type ModelRequest,
  type ToolDefinition,
  type ToolResult,
} from '@kestrion/core';
import { ScriptedProvider } from '@kestrion/core/provider-kit';
import type { EffectLedger } from './effect-ledger';
import type { PrepareBeforeEffect } from './crash-protocol';

/** `ops`: parks once for an approval of `apply`; `ops-auto`: the same run with no approval. */
export type CrashScenarioName = 'ops' | 'ops-auto';

export interface CrashScenarioOptions {
  /** SIGKILL this process inside the named tool, after its effect, before its result is recorded. */
  killInsideTool?: string;
  /** Make one tool sleep this long after its effect (to pause or race a process inside it). */
  slowTool?: { name: string; ms: number };
  prepareBeforeEffect?: PrepareBeforeEffect;
  /** Print `in-tool <name>` on stdout once a tool's effect is recorded (for a parent timing a signal). */
  announceTools?: boolean;
}

export const IDEMPOTENT_TOOLS: readonly string[] = ['read_state', 'audit'];
export const NON_IDEMPOTENT_TOOLS: readonly string[] = ['notify', 'apply'];
const MODEL = 'scripted-ops';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The crash scenario: inspect (idempotent tool) -> plan (model) -> act (non-idempotent
 * `notify`, then `apply`, gated in `ops`) -> summarize (model, idempotent `audit`). About 30
 * events. Every effect lands in the ledger under its idempotency key; the idempotent tools
 * honour the key (a second attempt changes nothing), the others apply blindly. Results are
 * deterministic, so a crashed-and-recovered run can be compared with an uncrashed one.
 */
export function crashScenario(
  name: CrashScenarioName,
  ledger: EffectLedger,
  opts: CrashScenarioOptions = {},
): { graph: Graph; provider: ScriptedProvider } {
  const tool = (
    toolName: string,
    idempotent: boolean,
    effect: (args: Json) => Json,
    extra: Partial<ToolDefinition> = {},
  ): ToolDefinition => ({
    name: toolName,
    idempotent,
    ...extra,
    invoke: async (args, call) => {
      const prep = opts.prepareBeforeEffect;
      if (prep?.name === toolName) {
        writeSync(1, `preparing ${toolName}\n`);
        await sleep(prep.ms);
        // What a careful tool does right before an effect it cannot take back.
        if (prep.check === 'signal' && call.signal.aborted) throw call.signal.reason;
        if (prep.check === 'assert') call.assertLeaseHeld();
      }
      const done = idempotent ? ledger.applied(call.idempotencyKey) : undefined;
      const result = done?.result ?? effect(args);
      ledger.record({
        kind: 'tool',
        name: toolName,
        runId: call.runId,
        key: call.idempotencyKey,
        applied: !done,
        result,
      });
      if (opts.announceTools) writeSync(1, `in-tool ${toolName}\n`);
      if (opts.killInsideTool === toolName) process.kill(process.pid, 'SIGKILL');
      if (opts.slowTool?.name === toolName) await sleep(opts.slowTool.ms);
      return result;
    },
  });
  const respond = (req: ModelRequest) => {
    const content = req.messages[0]?.role === 'user' ? req.messages[0].content : '';
    const runId = /^run (\S+): /.exec(content)?.[1] ?? '?';
    ledger.record({ kind: 'model', name: req.system ?? '?', runId, key: '', applied: true });
    return { text: req.system === 'plan' ? 'scale web to 3 replicas' : 'web now runs 3 replicas' };
  };
  const graph = defineGraph({
    name: `crash-${name}`,
    start: 'inspect',
    tools: [
      tool('read_state', true, () => ({ replicas: 2 })),
      tool('notify', false, (args) => ({ notified: args })),
      tool('apply', false, (args) => ({ applied: args }), { requiresApproval: name === 'ops' }),
      tool('audit', true, (args) => ({ audited: args })),
    ],
    nodes: {
      inspect: async (ctx) => {
        const r = await ctx.callTool('read_state', {});
        return { next: 'plan', patch: { set: { observed: outcome(r) } } };
      },
      plan: async (ctx) => {
        const reply = await ctx.callModel(ask(ctx.runId, 'plan', JSON.stringify(ctx.state.observed)));
        return { next: 'act', patch: { set: { plan: reply.text } } };
      },
      act: async (ctx) => {
        const told = await ctx.callTool('notify', { to: 'oncall', text: ctx.state.plan as string });
        const applied = await ctx.callTool('apply', { deployment: 'web', replicas: 3 });
        return { next: 'summarize', patch: { set: { notified: outcome(told), applied: outcome(applied) } } };
      },
      summarize: async (ctx) => {
        const reply = await ctx.callModel(ask(ctx.runId, 'summarize', JSON.stringify(ctx.state.applied)));
        const audited = await ctx.callTool('audit', { summary: reply.text });
        return {
          next: END,
          output: { summary: reply.text, audited: outcome(audited) },
          patch: { set: { summary: reply.text } },
        };
      },
    },
  });
  return { graph, provider: new ScriptedProvider(Array.from({ length: 20 }, () => respond)) };
}

function ask(runId: string, system: string, text: string): ModelRequest {
  return { model: MODEL, system, messages: [{ role: 'user', content: `run ${runId}: ${text}` }] };
}

/** A tool result without its random callId, so runs can be compared. */
function outcome(r: ToolResult): Json {
  if (r.status === 'completed') return { status: r.status, result: r.result };
  if (r.status === 'failed') return { status: r.status, code: r.error.code };
  return { status: r.status, reason: r.reason };
}
