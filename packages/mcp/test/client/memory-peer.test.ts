import { join } from 'node:path';
import { Agent } from '@kestrion/agent';
import { InMemoryStore, type Json, type StoredEvent, type ToolDefinition } from '@kestrion/core';
import { ScriptedProvider } from '@kestrion/testing';
import { McpToolset } from '@kestrion/mcp';
import { memoryServer, peerVersion, tempDir, until } from '../peers';

class Keeper {}

async function eventsOf(store: InMemoryStore, runId: string): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of store.readEvents(runId)) out.push(e);
  return out;
}

describe(`server-memory ${peerVersion('@modelcontextprotocol/server-memory')} tools in an Agent`, () => {
  let toolset: McpToolset;
  beforeAll(async () => {
    toolset = await McpToolset.connect({
      servers: { memory: memoryServer(join(tempDir('memory'), 'graph.jsonl')) },
    });
  });
  afterAll(() => toolset.close());

  const tool = (name: string) => toolset.tools.find((t) => t.name === `memory_${name}`)!;
  const graph = async () => {
    const { agent, store } = keeper([[{ id: 'g', name: 'memory_read_graph', arguments: {} }]]);
    const run = await agent.run('read');
    const done = (await eventsOf(store, run.id)).find((e) => e.type === 'tool.completed')!.data as {
      result: { structuredContent: { entities: Array<{ name: string; observations: string[] }> } };
    };
    return done.result.structuredContent.entities;
  };

  function keeper(
    turns: Array<Array<{ id: string; name: string; arguments: object }>>,
    local: ToolDefinition[] = [],
  ) {
    const store = new InMemoryStore();
    const provider = new ScriptedProvider([
      ...turns.map((calls) => ({ toolCalls: calls.map((c) => ({ ...c, arguments: c.arguments as never })) })),
      { text: 'done' },
    ]);
    const agent = new Agent(new Keeper(), {
      provider,
      store,
      model: 'm',
      instructions: 'Keep the graph.',
      tools: [...toolset.tools, ...local],
    });
    return { agent, store };
  }

  it('maps additive, destructive-idempotent and read-only tools to their policies', () => {
    expect([tool('create_entities').requiresApproval, tool('create_entities').idempotent]).toEqual([
      false,
      false,
    ]);
    expect([tool('delete_entities').requiresApproval, tool('delete_entities').idempotent]).toEqual([
      true,
      true,
    ]);
    expect([tool('read_graph').requiresApproval, tool('read_graph').idempotent]).toEqual([false, true]);
  });

  it('gates a destructive MCP tool exactly as a local one: the same events, and a rejection runs neither', async () => {
    const effects: string[] = [];
    const local: ToolDefinition = {
      name: 'drop_table',
      parameters: { type: 'object', properties: { table: { type: 'string' } }, required: ['table'] },
      requiresApproval: true,
      invoke: (args) => {
        effects.push(JSON.stringify(args));
        return null as Json;
      },
    };
    const seed = keeper([
      [
        {
          id: 's',
          name: 'memory_create_entities',
          arguments: { entities: [{ name: 'db', entityType: 'x', observations: [] }] },
        },
      ],
    ]);
    await seed.agent.run('seed');
    const { agent, store } = keeper(
      [
        [
          { id: 'd', name: 'memory_delete_entities', arguments: { entityNames: ['db'] } },
          { id: 't', name: 'drop_table', arguments: { table: 'users' } },
        ],
      ],
      [local],
    );
    const parked = await agent.run('drop everything');
    expect(parked.pending.map((p) => [p.tool, p.requiredRoles])).toEqual([
      ['memory_delete_entities', []],
      ['drop_table', []],
    ]);
    const requested = (await eventsOf(store, parked.id)).filter((e) => e.type === 'approval.requested');
    expect(requested.map((e) => Object.keys(e.data as object).sort())).toEqual([
      ['argsHash', 'callId', 'roles', 'tool'],
      ['argsHash', 'callId', 'roles', 'tool'],
    ]);
    for (const p of parked.pending)
      await agent.reject(parked.id, { by: 'bob', callId: p.callId, reason: 'no' });
    const done = await agent.resume(parked.id);
    expect(done.status).toBe('completed');
    expect(effects).toEqual([]);
    expect((await graph()).map((e) => e.name)).toContain('db');
    expect((await eventsOf(store, parked.id)).filter((e) => e.type === 'tool.started')).toEqual([]);
  });

  it('reconnects from its configuration after the server died between calls', async () => {
    const before = toolset.server('memory').pid!;
    const { agent } = keeper([
      [
        {
          id: 'a',
          name: 'memory_create_entities',
          arguments: { entities: [{ name: 'cache', entityType: 'x', observations: ['warm'] }] },
        },
      ],
    ]);
    await agent.run('add');
    process.kill(before, 'SIGKILL');
    await until(() => {
      try {
        process.kill(before, 0);
        return false;
      } catch {
        return true;
      }
    });
    expect((await graph()).find((e) => e.name === 'cache')?.observations).toEqual(['warm']);
    expect(toolset.server('memory').pid).not.toBe(before);
  });
});
