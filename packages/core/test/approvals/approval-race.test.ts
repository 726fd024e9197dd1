import { spawn } from 'node:child_process';
import { Engine, type Store } from '@kestrion/core';
import { openStore } from '@kestrion/store';
import { childScript, createTestDatabase, type TestDatabase } from '@kestrion/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchGraph } from './approval-fixtures';

function decide(url: string, runId: string, kind: 'approve' | 'reject', by: string) {
  const child = spawn(process.execPath, [childScript('decision-child'), url, runId, kind, by], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<{ ok?: boolean; error?: string }>((res, rej) =>
    // 'close': the output is read to its end ('exit' can come before it is).
    child.on('close', (code) =>
      code === 0 ? res(JSON.parse(out)) : rej(new Error(`decision-child exited ${code}`)),
    ),
  );
  return { go: () => child.stdin.write('go\n'), done };
}

describe.each(['sqlite', 'postgres'] as const)(
  'approve and reject racing from two processes (%s)',
  (kind) => {
    let pg: TestDatabase | undefined;
    let dir: string | undefined;
    let url: string;
    let store: Store;
    beforeAll(async () => {
      if (kind === 'postgres') {
        pg = await createTestDatabase('kestrion_race');
        url = pg.url;
      } else {
        dir = mkdtempSync(join(tmpdir(), 'kestrion-race-'));
        url = `sqlite://${join(dir, 'race.db')}`;
      }
      store = await openStore(url);
    });
    afterAll(async () => {
      await store.close();
      await pg?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('records exactly one decision; the other process gets a typed error; the tool runs at most once', async () => {
      const outcomes: string[] = [];
      for (let trial = 0; trial < 4; trial++) {
        const effects: string[] = [];
        const engine = new Engine({
          store,
          graph: batchGraph(effects, [{ tool: 'deploy', args: { trial } }]),
        });
        const parked = await engine.run('go');
        const a = decide(url, parked.runId, 'approve', 'alice');
        const r = decide(url, parked.runId, 'reject', 'bob');
        await new Promise((res) => setTimeout(res, 400));
        a.go();
        r.go();
        const [ra, rr] = await Promise.all([a.done, r.done]);
        expect([ra.ok, rr.ok].filter(Boolean)).toHaveLength(1);
        const loser = ra.ok ? rr : ra;
        expect(['approval_already_decided']).toContain(loser.error);
        const types: string[] = [];
        for await (const e of store.readEvents(parked.runId)) types.push(e.type);
        expect(types.filter((t) => t === 'approval.granted' || t === 'approval.rejected')).toHaveLength(1);
        const done = await engine.resume(parked.runId);
        expect(done.status).toBe('completed');
        expect(effects.length).toBe(ra.ok ? 1 : 0);
        outcomes.push(ra.ok ? 'approved' : 'rejected');
      }
      expect(outcomes).toHaveLength(4);
    });
  },
);
