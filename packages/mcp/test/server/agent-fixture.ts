import { Agent } from '@kestrion/agent';
import { InMemoryStore, type ApprovalRequirement, type Json, type ToolDefinition } from '@kestrion/core';
import { ScriptedProvider } from '@kestrion/testing';

/** The ops agent of these tests: its tools are plain engine definitions, its model scripted. */
class OpsAgent {}

export interface OpsFixture {
  agent: Agent;
  store: InMemoryStore;
  effects: string[];
  provider: ScriptedProvider;
}

/**
 * An agent whose model first calls `restart_service` (gated by `policy`), then answers "restarted
 * <service>". `effects` lists the restarts that really happened.
 */
export function opsAgent(policy: ApprovalRequirement = true, service = 'web'): OpsFixture {
  const effects: string[] = [];
  const store = new InMemoryStore();
  const restart: ToolDefinition = {
    name: 'restart_service',
    description: 'Restarts a service.',
    parameters: {
      type: 'object',
      properties: { service: { type: 'string' } },
      required: ['service'],
      additionalProperties: false,
    },
    requiresApproval: policy,
    invoke: (args) => {
      effects.push((args as { service: string }).service);
      return { restarted: (args as { service: string }).service } as Json;
    },
  };
  const provider = new ScriptedProvider([
    { toolCalls: [{ id: 't1', name: 'restart_service', arguments: { service } }] },
    { text: `restarted ${service}` },
  ]);
  const agent = new Agent(new OpsAgent(), {
    provider,
    store,
    model: 'm',
    name: 'ops',
    instructions: 'Operate services.',
    tools: [restart],
  });
  return { agent, store, effects, provider };
}

/** The events of a run, in order. */
export async function eventsOf(store: InMemoryStore, runId: string) {
  const out = [];
  for await (const e of store.readEvents(runId)) out.push(e);
  return out;
}
