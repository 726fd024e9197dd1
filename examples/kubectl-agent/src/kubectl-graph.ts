import { END, defineGraph, type Graph, type Json, type ModelRequest } from '@kestrion/core';
import { ScriptedProvider } from '@kestrion/core/provider-kit';
import type { ClusterState, FakeCluster } from './fake-cluster';

const MODEL = 'scripted-sre';

/**
 * inspect_cluster -> propose_change -> apply_change. Every effect goes through the engine:
 * reading the cluster is an idempotent tool, the proposal is a model call (journaled, never
 * re-requested), and `apply_manifest` is gated on a human approval.
 */
export function kubectlGraph(cluster: FakeCluster): Graph {
  return defineGraph({
    name: 'kubectl-agent',
    start: 'inspect_cluster',
    tools: [
      {
        name: 'get_cluster_state',
        description: 'Read current deployment replica counts.',
        idempotent: true,
        invoke: () => cluster.read() as unknown as Json,
      },
      {
        name: 'apply_manifest',
        description: 'kubectl apply a manifest.',
        parameters: {
          type: 'object',
          properties: { yaml: { type: 'string' } },
          required: ['yaml'],
          additionalProperties: false,
        },
        requiresApproval: true,
        invoke: (args) => cluster.apply((args as { yaml: string }).yaml),
      },
    ],
    nodes: {
      inspect_cluster: async (ctx) => {
        const r = await ctx.callTool('get_cluster_state', {});
        if (r.status !== 'completed') return { next: END, output: { error: 'could not read the cluster' } };
        return { next: 'propose_change', patch: { set: { cluster: r.result } } };
      },
      propose_change: async (ctx) => {
        const reply = await ctx.callModel({
          model: MODEL,
          system: 'You are a careful SRE. Propose one manifest to apply, or none.',
          messages: [
            { role: 'user', content: `${String(ctx.input)}\nCluster: ${JSON.stringify(ctx.state.cluster)}` },
          ],
          tools: [
            {
              name: 'apply_manifest',
              description: 'kubectl apply a manifest.',
              parameters: { type: 'object' },
            },
          ],
        });
        const call = reply.toolCalls[0];
        if (!call) return { next: END, output: { answer: reply.text } };
        return { next: 'apply_change', patch: { set: { proposal: call.arguments } } };
      },
      apply_change: async (ctx) => {
        const r = await ctx.callTool('apply_manifest', ctx.state.proposal as Json);
        return { next: END, output: r as unknown as Json };
      },
    },
  });
}

/** The model, scripted: scale checkout-api to 3 when it runs fewer replicas. */
export function scriptedSre(): ScriptedProvider {
  return new ScriptedProvider([
    (req: ModelRequest) => {
      const content = req.messages[0]?.role === 'user' ? req.messages[0].content : '';
      const cluster = JSON.parse(content.split('Cluster: ')[1] ?? '{}') as ClusterState;
      const replicas = cluster.deployments?.['checkout-api']?.replicas ?? 0;
      if (replicas >= 3) return { text: 'checkout-api already runs 3 or more replicas; nothing to do.' };
      const yaml =
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: checkout-api\nspec:\n  replicas: 3\n';
      return {
        text: 'Scaling checkout-api to 3.',
        toolCalls: [{ id: 'tc_1', name: 'apply_manifest', arguments: { yaml } }],
      };
    },
  ]);
}
