import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InMemoryStore, type StoredEvent } from '@kestrion/core';
import { Agent } from '@kestrion/agent';
import { ScriptedProvider } from '@kestrion/testing';
import { McpToolset } from '@kestrion/mcp';
import { filesystemServer, tempDir } from '../peers';

class FileAgent {}

function call(id: string, name: string, args: unknown) {
  return { id, name, arguments: args as never };
}

async function eventsOf(store: InMemoryStore, runId: string): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of store.readEvents(runId)) out.push(e);
  return out;
}

describe('server-filesystem tools in an Agent', () => {
  let toolset: McpToolset;
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('fs');
    writeFileSync(join(dir, 'notes.txt'), 'hello from disk\n');
    toolset = await McpToolset.connect({ servers: { fs: filesystemServer(dir) } });
  });
  afterAll(() => toolset.close());

  it('offers the tools with their schemas and the policy their annotations ask for', () => {
    const byName = new Map(toolset.tools.map((t) => [t.name, t]));
    expect([...byName.keys()]).toEqual(
      expect.arrayContaining(['fs_read_text_file', 'fs_write_file', 'fs_edit_file']),
    );
    const read = byName.get('fs_read_text_file')!;
    expect(read.parameters).toMatchObject({ type: 'object', properties: { path: { type: 'string' } } });
    expect([read.requiresApproval, read.idempotent]).toEqual([false, true]);
    expect([byName.get('fs_write_file')!.requiresApproval, byName.get('fs_write_file')!.idempotent]).toEqual([
      true,
      true,
    ]);
    expect([byName.get('fs_edit_file')!.requiresApproval, byName.get('fs_edit_file')!.idempotent]).toEqual([
      true,
      false,
    ]);
  });

  it('reads without approval, and never writes before a person approves', async () => {
    const target = join(dir, 'out.txt');
    const store = new InMemoryStore();
    const provider = new ScriptedProvider([
      { toolCalls: [call('c1', 'fs_read_text_file', { path: join(dir, 'notes.txt') })] },
      { toolCalls: [call('c2', 'fs_write_file', { path: target, content: 'written by the agent' })] },
      { text: 'done' },
    ]);
    const agent = new Agent(new FileAgent(), {
      provider,
      store,
      model: 'm',
      instructions: 'Work with files.',
      tools: toolset.tools,
    });
    const parked = await agent.run('copy the notes');
    expect(parked.status).toBe('waiting_on_human');
    expect(parked.pending).toEqual([expect.objectContaining({ tool: 'fs_write_file' })]);
    expect(existsSync(target)).toBe(false);
    const events = await eventsOf(store, parked.id);
    const read = events.find((e) => e.type === 'tool.completed');
    expect(read?.data).toMatchObject({
      result: {
        content: [{ type: 'text', text: 'hello from disk\n' }],
        structuredContent: { content: 'hello from disk\n' },
      },
    });
    expect(events.find((e) => e.type === 'tool.requested')?.data).toMatchObject({
      toolIdentity: { name: 'read_text_file', inputSchema: expect.stringMatching(/^sha256:/) },
    });

    await agent.approve(parked.id, { by: 'alice' });
    const done = await agent.resume(parked.id);
    expect(done.status).toBe('completed');
    expect(readFileSync(target, 'utf8')).toBe('written by the agent');
  });

  it('records a path outside the allowed directory as the tool failure the server reported', async () => {
    const provider = new ScriptedProvider([
      { toolCalls: [call('c1', 'fs_read_text_file', { path: '/etc/hostname' })] },
      { text: 'could not' },
    ]);
    const store = new InMemoryStore();
    const agent = new Agent(new FileAgent(), {
      provider,
      store,
      model: 'm',
      instructions: 'x',
      tools: toolset.tools,
    });
    const run = await agent.run('read it');
    expect(run.status).toBe('completed');
    const failed = (await eventsOf(store, run.id)).find((e) => e.type === 'tool.failed');
    expect(failed?.data).toMatchObject({
      error: {
        code: 'mcp_tool_error',
        message: expect.stringMatching(/fs\/read_text_file failed: .*(denied|outside)/i),
      },
    });
  });
});
