import { END, defineGraph, type Graph, type ModelRequest, type NodeContext } from '@kestrion/core';
import { SCALE_AGENT, SCALE_MODEL } from './scale-protocol';

/** Output tokens each model call asks for at most (the quota reserves them up front). */
export const SCALE_MAX_TOKENS = 32;

// ~240 characters: ~60 prompt tokens as the counting server counts (chars / 4).
const BRIEF =
  'You are the operations assistant for a small online shop. Read the order below, decide what ' +
  'to check, then what to change, and answer in one short sentence. Keep it factual; never ' +
  'invent order numbers, amounts or customer names.';

function ask(ctx: NodeContext, step: string): ModelRequest {
  return {
    model: SCALE_MODEL,
    maxTokens: SCALE_MAX_TOKENS,
    messages: [{ role: 'user', content: `${BRIEF}\nOrder: ${JSON.stringify(ctx.input)}. Step: ${step}.` }],
  };
}

/**
 * The scale bench's run: three model calls and two tool calls, one of them gated.
 * `plan`: model call 1, then `lookup` (runs at once). `act`: model call 2, then `refund`, which
 * needs a person's approval (the run parks; the approver process approves; the node runs again,
 * its model call replayed from the log). `answer`: model call 3, and the run completes.
 */
export function scaleGraph(): Graph {
  return defineGraph({
    name: SCALE_AGENT,
    start: 'plan',
    tools: [
      {
        name: 'lookup',
        idempotent: true,
        invoke: (args) => ({ found: args, status: 'shipped' }),
      },
      {
        name: 'refund',
        requiresApproval: true,
        invoke: (args) => ({ refunded: args }),
      },
    ],
    nodes: {
      plan: async (ctx) => {
        const reply = await ctx.callModel(ask(ctx, 'plan'));
        const found = await ctx.callTool('lookup', { order: ctx.input });
        return { next: 'act', patch: { set: { plan: reply.text, lookup: found.status } } };
      },
      act: async (ctx) => {
        const reply = await ctx.callModel(ask(ctx, 'act'));
        const refund = await ctx.callTool('refund', { order: ctx.input, amount: 12.5 });
        return { next: 'answer', patch: { set: { act: reply.text, refund: refund.status } } };
      },
      answer: async (ctx) => {
        const reply = await ctx.callModel(ask(ctx, 'answer'));
        return { next: END, output: { answer: reply.text } };
      },
    },
  });
}
