// An agent whose tools are two MCP servers' (server-memory, server-everything over stdio), built
// from configuration in every process, on a SQLite store. Each mode is what a real process does:
// `run` a new run, `resume` one, `approve` / `retry` / `supply` a call. Every durable event is
// printed as a JSON line as it happens (the test kills this process on one), then the run.
import { Agent } from '@kestrion/agent';
import type { ModelRequest } from '@kestrion/core';
import { ScriptedProvider } from '@kestrion/core/provider-kit';
import { McpToolset } from '@kestrion/mcp';
import { join } from 'node:path';

interface Options {
  mode: 'run' | 'resume' | 'approve' | 'retry' | 'supply';
  store: string;
  memoryFile: string;
  runId?: string;
  callId?: string;
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const bin = join(__dirname, '..', '..', '..', '..', 'node_modules', '.bin');

/** The model's plan, one step per tool result so far: what a process asks depends only on the log. */
const PLAN = [
  [
    'memory_create_entities',
    { entities: [{ name: 'web', entityType: 'service', observations: ['created'] }] },
  ],
  ['memory_add_observations', { observations: [{ entityName: 'web', contents: ['deployed v2'] }] }],
  ['everything_trigger-long-running-operation', { duration: 2, steps: 4 }],
  ['memory_read_graph', {}],
  ['memory_delete_entities', { entityNames: ['web'] }],
] as const;

function answer(req: ModelRequest) {
  const step = req.messages.filter((m) => m.role === 'tool').length;
  const next = PLAN[step];
  return next
    ? { text: '', toolCalls: [{ id: `c${step}`, name: next[0], arguments: next[1] as never }] }
    : { text: 'web retired', toolCalls: [] };
}

function print(line: object): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function drive(agent: Agent, target: string | { runId: string }): Promise<void> {
  for await (const item of agent.stream(target)) {
    if (item.type === 'event') {
      const d = item.event.data as { tool?: string; callId?: string };
      print({ runId: item.event.runId, event: item.event.type, tool: d.tool, callId: d.callId });
    }
    if (item.type === 'done')
      print({
        done: item.run.status,
        waitingReason: item.run.waitingReason,
        pending: item.run.pending.map((p) => ({ callId: p.callId, tool: p.tool })),
        unknown: item.run.unknownOutcomes.map((u) => ({ callId: u.callId, tool: u.tool, reason: u.reason })),
      });
  }
}

async function main(): Promise<void> {
  const toolset = await McpToolset.connect({
    servers: {
      memory: {
        command: join(bin, 'mcp-server-memory'),
        env: { MEMORY_FILE_PATH: options.memoryFile },
        stderr: 'ignore',
      },
      everything: {
        command: join(bin, 'mcp-server-everything'),
        args: ['stdio'],
        stderr: 'ignore',
        include: ['trigger-long-running-operation'],
        // Read-only on the server; taken as having effects here, so a crash mid-call parks.
        tools: { 'trigger-long-running-operation': { idempotent: false } },
      },
    },
  });
  print({ pids: { memory: toolset.server('memory').pid, everything: toolset.server('everything').pid } });
  const agent = new Agent(new (class Ops {})(), {
    provider: new ScriptedProvider(Array.from({ length: 50 }, () => answer)),
    store: options.store,
    model: 'scripted',
    name: 'ops',
    instructions: 'Retire the web service, recording what you do.',
    tools: toolset.tools,
    leaseTtlMs: 1_500,
  });
  try {
    const runId = options.runId ?? '';
    if (options.mode === 'approve')
      await agent.approve(runId, { by: 'alice', ...(options.callId ? { callId: options.callId } : {}) });
    if (options.mode === 'retry') await agent.retryTool(runId, options.callId ?? '', 'alice');
    if (options.mode === 'supply')
      await agent.supplyToolResult(
        runId,
        options.callId ?? '',
        { content: [{ type: 'text', text: 'checked by hand' }] },
        'alice',
      );
    const target = options.mode === 'run' ? 'retire web' : { runId };
    // The killed process's lease lapses after leaseTtlMs: until then the run is busy.
    for (let tries = 0; ; tries++) {
      try {
        await drive(agent, target);
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== 'run_busy' || tries > 100) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    await agent.close();
    await toolset.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    print({ error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    process.exit(1);
  },
);
