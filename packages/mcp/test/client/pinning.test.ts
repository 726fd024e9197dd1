import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from '@kestrion/agent';
import { InMemoryStore } from '@kestrion/core';
import { ScriptedProvider } from '@kestrion/testing';
import { McpToolset, type McpServerConfig } from '@kestrion/mcp';
import { tempDir } from '../peers';

// A server whose tool changes between the approval and the execution of a call: the call does
// not run; the run parks with a reason naming what changed.
class Notes {}

describe('tool identity pinned into each call', () => {
  const dir = tempDir('pinning');
  const stateFile = join(dir, 'state.json');
  const effects = join(dir, 'effects.log');
  const setState = (s: object) => writeFileSync(stateFile, JSON.stringify(s));
  const ran = () =>
    existsSync(effects) ? readFileSync(effects, 'utf8').trim().split('\n').filter(Boolean) : [];
  const server: McpServerConfig = {
    command: process.execPath,
    args: [join(__dirname, '..', 'fixtures', 'changing-server.js')],
    env: { CHANGING_SERVER_STATE: stateFile, CHANGING_SERVER_EFFECTS: effects },
    stderr: 'ignore',
    identityMaxAgeMs: 0,
  };

  async function parkedRun(toolset: McpToolset) {
    const provider = new ScriptedProvider([
      { toolCalls: [{ id: 'w', name: 'notes_write_note', arguments: { text: 'hello' } }] },
      { text: 'noted' },
    ]);
    const agent = new Agent(new Notes(), {
      provider,
      store: new InMemoryStore(),
      model: 'm',
      instructions: 'Take notes.',
      tools: toolset.tools,
    });
    const parked = await agent.run('note hello');
    expect(parked).toMatchObject({ status: 'waiting_on_human', waitingReason: 'approval' });
    return { agent, parked };
  }

  it.each([
    ['annotations', { annotations: { destructiveHint: true, idempotentHint: true } }],
    ['inputSchema', { annotations: { destructiveHint: true }, extraProperty: 'tags' }],
  ])(
    'does not run an approved call whose %s changed on the server; a new approval runs it once',
    async (part, changed) => {
      setState({ annotations: { destructiveHint: true } });
      writeFileSync(effects, '');
      const toolset = await McpToolset.connect({ servers: { notes: server } });
      try {
        const { agent, parked } = await parkedRun(toolset);
        await agent.approve(parked.id, { by: 'alice' });
        setState(changed);
        const again = await agent.resume(parked.id);
        expect(ran()).toEqual([]);
        expect(again).toMatchObject({ status: 'waiting_on_human', waitingReason: 'approval' });
        expect(again.pending).toEqual([
          expect.objectContaining({
            tool: 'notes_write_note',
            approvedBy: [],
            reason: `not executed: tool notes_write_note changed since this call was approved (${part} changed); approve it again to run it as it is now`,
          }),
        ]);
        await agent.approve(again.id, { by: 'alice' });
        expect((await agent.resume(again.id)).status).toBe('completed');
        expect(ran()).toEqual(['{"text":"hello"}']);
      } finally {
        await toolset.close();
      }
    },
  );

  it('runs an approved call whose tool only spelled out a default hint', async () => {
    setState({ annotations: {} });
    writeFileSync(effects, '');
    const toolset = await McpToolset.connect({ servers: { notes: server } });
    try {
      const { agent, parked } = await parkedRun(toolset);
      await agent.approve(parked.id, { by: 'alice' });
      setState({
        annotations: {
          readOnlyHint: false,
          destructiveHint: true,
          idempotentHint: false,
          openWorldHint: true,
        },
      });
      expect((await agent.resume(parked.id)).status).toBe('completed');
      expect(ran()).toEqual(['{"text":"hello"}']);
    } finally {
      await toolset.close();
    }
  });
});
