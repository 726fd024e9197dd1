import {
  END,
  KestrionError,
  defineGraph,
  type Graph,
  type Json,
  type ModelToolCall,
  type ModelToolSpec,
  type NodeContext,
  type ToolDefinition,
  type ToolResult,
} from '@kestrion/core';
import { asMessages, isRepairable, malformedMessage, toolMessage } from './agent-messages';

export interface AgentGraphSpec {
  name: string;
  model: string;
  instructions: string;
  tools: ToolDefinition[];
  specs: ModelToolSpec[];
  maxTurns: number;
  maxRepairs: number;
  multiTurn: boolean;
}

/** The agent's model misbehaved past the repair budget, or ran out of turns. */
export class AgentLimitError extends KestrionError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

/**
 * The tool loop as engine nodes: `model` asks the model (journaled; a recorded answer is
 * never requested again), `tools` runs its tool calls through the engine's protocol
 * (validation, gates, journal) as one batch, `await_input` parks for the next user turn.
 * Messages are derived from the run state, which is derived from the log.
 */
export function agentGraph(spec: AgentGraphSpec): Graph {
  const model = async (ctx: NodeContext) => {
    const turns = ((ctx.state.turns as number | undefined) ?? 0) + 1;
    if (turns > spec.maxTurns)
      throw new AgentLimitError('limit_exceeded', `maxTurns ${spec.maxTurns} reached without a final answer`);
    const consumed = (ctx.state.consumed as number | undefined) ?? 0;
    const fresh = [...(turns === 1 ? [ctx.input] : []), ...ctx.inbox.slice(consumed)].map((m) => ({
      role: 'user' as const,
      content: typeof m === 'string' ? m : JSON.stringify(m),
    }));
    const messages = [...asMessages(ctx.state.messages), ...fresh];
    const reply = await ctx.callModel({
      model: spec.model,
      system: spec.instructions,
      messages,
      tools: spec.specs,
    });
    const assistant = {
      role: 'assistant' as const,
      content: reply.text,
      ...(reply.toolCalls.length ? { toolCalls: reply.toolCalls } : {}),
    };
    const patch = {
      append: { messages: [...fresh, assistant] as unknown as Json[] },
      set: {
        turns,
        consumed: ctx.inbox.length,
        pendingCalls: reply.toolCalls as unknown as Json,
        lastMessage: reply.text,
      },
    };
    if (reply.toolCalls.length > 0) return { next: 'tools', patch };
    return spec.multiTurn ? { next: 'await_input', patch } : { next: END, output: reply.text, patch };
  };

  const tools = async (ctx: NodeContext) => {
    const calls = (ctx.state.pendingCalls ?? []) as unknown as ModelToolCall[];
    const runnable = calls.filter((c) => !c.malformed);
    const results = await ctx.callTools(runnable.map((c) => ({ tool: c.name, args: c.arguments })));
    const byCall = new Map<ModelToolCall, ToolResult>(runnable.map((c, i) => [c, results[i] as ToolResult]));
    const messages = calls.map((c) => {
      const r = byCall.get(c);
      return r ? toolMessage(c, r) : malformedMessage(c);
    });
    const bad = calls.some((c) => c.malformed) || results.some(isRepairable);
    const repairs = bad ? ((ctx.state.repairs as number | undefined) ?? 0) + 1 : 0;
    if (repairs > spec.maxRepairs)
      throw new AgentLimitError(
        'model_misbehaviour',
        `the model sent invalid or unknown tool calls ${repairs} turns in a row (maxRepairs ${spec.maxRepairs})`,
      );
    return {
      next: 'model',
      patch: { append: { messages: messages as unknown as Json[] }, set: { pendingCalls: [], repairs } },
    };
  };

  const awaitInput = (ctx: NodeContext) =>
    ctx.inbox.length > ((ctx.state.consumed as number | undefined) ?? 0)
      ? { next: 'model' }
      : { waitForInput: true as const };

  return defineGraph({
    name: spec.name,
    start: 'model',
    tools: spec.tools,
    nodes: { model, tools, await_input: awaitInput },
  });
}
