import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidRunMetadataError, type Store, type ToolManifest } from '@kestrion/core';
import { openStore } from '@kestrion/store';
import { createTestDatabase, ScriptedProvider, type TestDatabase } from '@kestrion/testing';
import { Agent } from '../src/index';
import { OpsAgent } from './fixtures/runtime/ops-agent';
import { compileRuntimeManifest } from './runtime-fixture';

let manifest: ToolManifest;
let dir: string;
beforeAll(() => {
  manifest = compileRuntimeManifest();
  dir = mkdtempSync(join(tmpdir(), 'kestrion-dispose-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const answer = () => new ScriptedProvider([{ text: 'ok' }]);

describe('await using an Agent', () => {
  it('closes the store it opened from a URL when the block ends', async () => {
    let store: Store | undefined;
    let runId = '';
    {
      await using agent = new Agent(new OpsAgent(), {
        provider: answer(),
        store: `sqlite://${join(dir, 'using.db')}`,
        model: 'm',
        manifest,
      });
      runId = (await agent.run('hello')).id;
      store = (await agent.engine()).store;
      expect((await store.getRun(runId))?.status).toBe('completed');
    }
    await expect(store.getRun(runId)).rejects.toThrow();
  });

  it('leaves a Store passed in open, and a store is disposable itself', async () => {
    let outer: Store | undefined;
    {
      await using store = await openStore(`sqlite://${join(dir, 'theirs.db')}`);
      outer = store;
      {
        await using agent = new Agent(new OpsAgent(), { provider: answer(), store, model: 'm', manifest });
        await agent.run('hello');
      }
      expect((await store.listRuns()).runs).toHaveLength(1);
    }
    await expect(outer.listRuns()).rejects.toThrow();
  });

  it('lets a PostgreSQL service exit promptly after the block instead of waiting on its pool', async () => {
    const db: TestDatabase = await createTestDatabase('kestrion_dispose');
    try {
      const manifestPath = join(dir, 'kestrion.manifest.json');
      writeFileSync(manifestPath, JSON.stringify(manifest));
      const child = spawn(
        process.execPath,
        [join(__dirname, 'children', 'dispose-child.js'), db.url, manifestPath],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      let finishedAt = 0;
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (finishedAt === 0 && stdout.includes('finished')) finishedAt = Date.now();
      });
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      const exitedAfterMs = Date.now() - finishedAt;
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toContain('status completed');
      expect(finishedAt).toBeGreaterThan(0);
      // An open pg pool holds the event loop for its idle timeout (10 s); a closed one, nothing.
      expect(exitedAfterMs).toBeLessThan(2_000);
      const store = await openStore(db.url);
      try {
        expect((await store.listRuns({ metadata: { tenant: 'child' } })).runs).toHaveLength(1);
      } finally {
        await store.close();
      }
    } finally {
      await db.drop();
    }
  });
});

describe('Agent run metadata', () => {
  it('records metadata given to run and stream, so runs can be listed by it', async () => {
    const store = await openStore('sqlite::memory:');
    try {
      const agent = new Agent(new OpsAgent(), {
        provider: new ScriptedProvider([{ text: 'one' }, { text: 'two' }, { text: 'three' }]),
        store,
        model: 'm',
        manifest,
      });
      const a = await agent.run('first', { metadata: { tenant: 'acme', user: 'u1' } });
      let streamed = '';
      for await (const item of agent.stream('second', { metadata: { tenant: 'acme', user: 'u2' } }))
        if (item.type === 'done') streamed = item.run.id;
      await agent.run('third');
      const acme = await store.listRuns({ metadata: { tenant: 'acme' } });
      expect(acme.runs.map((r) => r.runId).sort()).toEqual([a.id, streamed].sort());
      expect((await store.listRuns({ metadata: { user: 'u2' } })).runs.map((r) => r.runId)).toEqual([
        streamed,
      ]);
      expect((await store.getRun(a.id))?.metadata).toEqual({ tenant: 'acme', user: 'u1' });
      await expect(agent.run('bad', { metadata: { user: ['u1'] } as never })).rejects.toBeInstanceOf(
        InvalidRunMetadataError,
      );
      expect((await store.listRuns()).runs).toHaveLength(3);
    } finally {
      await store.close();
    }
  });
});
