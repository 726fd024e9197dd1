import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredEvent } from '@kestrion/core';
import { openStore } from '@kestrion/store';
import { peerVersion, tempDir } from '../peers';

// The process running an agent whose tools are MCP servers' is SIGKILLed mid-way through its
// tool calls; every later step runs in a fresh process that connects to the servers again from
// its configuration (never from anything the dead process held).
const CHILD = join(__dirname, '..', 'children', 'mcp-agent-child.js');
const LONG = 'everything_trigger-long-running-operation';

interface Line {
  runId?: string;
  event?: string;
  tool?: string;
  callId?: string;
  done?: string;
  waitingReason?: string;
  pending?: Array<{ callId: string; tool: string }>;
  unknown?: Array<{ callId: string; tool: string; reason?: string }>;
  pids?: Record<string, number>;
  error?: string;
}

interface ChildRun {
  lines: Line[];
  code: number | null;
  signal: NodeJS.Signals | null;
}

const orphans: number[] = [];
afterAll(() => {
  for (const pid of orphans)
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
});

/** One process of the agent; `killOn` SIGKILLs it on the first line it accepts. */
function agentProcess(
  options: object,
  killOn?: (line: Line, tools: Map<string, string>) => boolean,
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, JSON.stringify(options)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Line[] = [];
    const tools = new Map<string, string>();
    let buffer = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffer.slice(0, nl)) as Line;
        buffer = buffer.slice(nl + 1);
        lines.push(line);
        if (line.pids) orphans.push(...Object.values(line.pids));
        if (line.event === 'tool.requested' && line.callId && line.tool) tools.set(line.callId, line.tool);
        if (killOn?.(line, tools) && child.exitCode === null) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0 && signal === null)
        reject(new Error(`agent process exited ${code}:\n${JSON.stringify(lines)}\n${stderr}`));
      else resolve({ lines, code, signal });
    });
  });
}

function doneOf(run: ChildRun): Line {
  const done = run.lines.find((l) => l.done !== undefined);
  if (!done) throw new Error(`no run result: ${JSON.stringify(run.lines)}`);
  return done;
}

interface MemoryEntity {
  type: string;
  name: string;
  observations?: string[];
}

function memory(file: string): MemoryEntity[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as MemoryEntity)
    .filter((e) => e.type === 'entity');
}

async function eventsOf(store: string, runId: string): Promise<StoredEvent[]> {
  const s = await openStore(store);
  try {
    const out: StoredEvent[] = [];
    for await (const e of s.readEvents(runId)) out.push(e);
    return out;
  } finally {
    await s.close();
  }
}

describe(`SIGKILL of the agent process mid-way through MCP tool calls (server-memory ${peerVersion('@modelcontextprotocol/server-memory')}, server-everything ${peerVersion('@modelcontextprotocol/server-everything')})`, () => {
  it('parks the call that was in flight, then finishes in fresh processes without repeating or skipping an effect', async () => {
    const dir = tempDir('crash');
    const base = { store: `sqlite://${join(dir, 'runs.db')}`, memoryFile: join(dir, 'memory.jsonl') };

    const first = await agentProcess(
      { ...base, mode: 'run' },
      (l, tools) => l.event === 'tool.started' && tools.get(l.callId ?? '') === LONG,
    );
    expect(first.signal).toBe('SIGKILL');
    const runId = first.lines.find((l) => l.runId)!.runId!;
    expect(memory(base.memoryFile)).toEqual([
      expect.objectContaining({ name: 'web', observations: ['created', 'deployed v2'] }),
    ]);

    const resumed = doneOf(await agentProcess({ ...base, mode: 'resume', runId }));
    expect(resumed).toMatchObject({
      done: 'waiting_on_human',
      waitingReason: 'outcome_unknown',
      unknown: [{ tool: LONG }],
    });
    expect(resumed.unknown![0]!.reason).toBeUndefined(); // a crash, not a lost answer

    const retried = doneOf(
      await agentProcess({ ...base, mode: 'retry', runId, callId: resumed.unknown![0]!.callId }),
    );
    expect(retried).toMatchObject({
      done: 'waiting_on_human',
      waitingReason: 'approval',
      pending: [{ tool: 'memory_delete_entities' }],
    });
    // Gated like a local tool: the destructive delete has not run.
    expect(memory(base.memoryFile).map((e) => e.name)).toEqual(['web']);

    const approved = doneOf(await agentProcess({ ...base, mode: 'approve', runId }));
    expect(approved).toMatchObject({ done: 'completed' });
    expect(memory(base.memoryFile)).toEqual([]);

    const events = await eventsOf(base.store, runId);
    const requested = events
      .filter((e) => e.type === 'tool.requested')
      .map((e) => e.data as { tool: string; toolIdentity?: object });
    expect(requested.map((r) => r.tool)).toEqual([
      'memory_create_entities',
      'memory_add_observations',
      LONG,
      'memory_read_graph',
      'memory_delete_entities',
    ]);
    for (const r of requested)
      expect(r.toolIdentity).toEqual({
        name: expect.any(String),
        inputSchema: expect.stringMatching(/^sha256:/),
        annotations: expect.stringMatching(/^sha256:/),
      });
    expect(events.filter((e) => e.type === 'tool.started').length).toBe(6); // the long call twice
    expect(events.some((e) => e.type === 'run.failed')).toBe(false);
  }, 240_000);

  it('killed as a non-idempotent call starts: the person checks the server, and no effect is doubled', async () => {
    const dir = tempDir('crash-racy');
    const base = { store: `sqlite://${join(dir, 'runs.db')}`, memoryFile: join(dir, 'memory.jsonl') };
    const first = await agentProcess(
      { ...base, mode: 'run' },
      (l, tools) => l.event === 'tool.started' && tools.get(l.callId ?? '') === 'memory_add_observations',
    );
    const runId = first.lines.find((l) => l.runId)!.runId!;
    let done = doneOf(await agentProcess({ ...base, mode: 'resume', runId }));
    if (done.waitingReason === 'outcome_unknown') {
      // What a person does: look the effect up in the system the tool changes.
      const applied = memory(base.memoryFile)[0]?.observations?.includes('deployed v2') === true;
      const callId = done.unknown![0]!.callId;
      done = doneOf(await agentProcess({ ...base, mode: applied ? 'supply' : 'retry', runId, callId }));
    }
    expect(done).toMatchObject({ done: 'waiting_on_human', waitingReason: 'approval' });
    expect(memory(base.memoryFile)).toEqual([
      expect.objectContaining({ name: 'web', observations: ['created', 'deployed v2'] }),
    ]);
    expect(doneOf(await agentProcess({ ...base, mode: 'approve', runId })).done).toBe('completed');
  }, 240_000);
});
