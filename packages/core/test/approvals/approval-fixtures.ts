import { END, defineGraph, type Graph, type Json, type ToolDefinition } from '@kestrion/core';

/** A graph whose one node calls `calls` as a single batch; `effects` counts real executions. */
export function batchGraph(
  effects: string[],
  calls: Array<{ tool: string; args: Json }>,
  extra: Partial<ToolDefinition> = {},
): Graph {
  const tool = (name: string, gated: boolean): ToolDefinition => ({
    name,
    requiresApproval: gated,
    invoke: (args) => {
      effects.push(`${name}:${JSON.stringify(args)}`);
      return { done: name };
    },
    ...(gated ? extra : {}),
  });
  return defineGraph({
    name: 'approvals',
    start: 'act',
    tools: [tool('deploy', true), tool('page', true), tool('lookup', false)],
    nodes: {
      act: async (ctx) => ({ next: END, output: (await ctx.callTools(calls)) as unknown as Json }),
    },
  });
}
