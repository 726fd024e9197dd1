import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToolManifest } from '@kestrion/core';
import { openStore } from '@kestrion/store';
import { ScriptedProvider } from '@kestrion/testing';
import { Agent } from '../src/index';
import { OpsAgent } from './fixtures/runtime/ops-agent';
import { compileRuntimeManifest } from './runtime-fixture';

let manifest: ToolManifest;
let dir: string;
beforeAll(() => {
  manifest = compileRuntimeManifest();
  dir = mkdtempSync(join(tmpdir(), 'kestrion-close-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const answer = () => new ScriptedProvider([{ text: 'ok' }]);

describe('Agent.close', () => {
  it('closes the store it opened from a URL, and opens it anew on the next call', async () => {
    const agent = new Agent(new OpsAgent(), {
      provider: answer(),
      store: `sqlite://${join(dir, 'own.db')}`,
      model: 'm',
      manifest,
    });
    const run = await agent.run('hello');
    const store = (await agent.engine()).store;
    await agent.close();
    await expect(store.getRun(run.id)).rejects.toThrow();
    expect((await agent.get(run.id)).status).toBe('completed');
    await agent.close();
  });

  it('leaves a Store passed in open: the caller owns it', async () => {
    const store = await openStore(`sqlite://${join(dir, 'theirs.db')}`);
    const agent = new Agent(new OpsAgent(), { provider: answer(), store, model: 'm', manifest });
    const run = await agent.run('hello');
    await agent.close();
    expect((await store.getRun(run.id))?.status).toBe('completed');
    await store.close();
  });
});
