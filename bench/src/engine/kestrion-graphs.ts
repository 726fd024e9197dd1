import { END, defineGraph, type Graph } from '@kestrion/core';

/** N node transitions, each a durable step; `grow` appends one ~300-byte item per step. */
export function linearGraph(steps: number, grow = false): Graph {
  return defineGraph({
    name: grow ? 'bench-growing' : 'bench-linear',
    start: 'step',
    nodes: {
      step: (ctx) => {
        const count = ((ctx.state.count as number | undefined) ?? 0) + 1;
        const patch = grow
          ? { set: { count }, append: { items: [`${count}:${'x'.repeat(296)}`] } }
          : { set: { count } };
        return count >= steps ? { next: END, output: count, patch } : { next: 'step', patch };
      },
    },
  });
}

/** `steps` transitions, then one gated tool call: the run parks for a person. */
export function approvalGraph(steps = 0): Graph {
  return defineGraph({
    name: 'bench-approval',
    start: steps > 0 ? 'step' : 'act',
    tools: [{ name: 'deploy', requiresApproval: true, invoke: () => 'deployed' }],
    nodes: {
      step: (ctx) => {
        const count = ((ctx.state.count as number | undefined) ?? 0) + 1;
        return { next: count >= steps ? 'act' : 'step', patch: { set: { count } } };
      },
      act: async (ctx) => ({ next: END, output: (await ctx.callTool('deploy', { v: 1 })).status }),
    },
  });
}
