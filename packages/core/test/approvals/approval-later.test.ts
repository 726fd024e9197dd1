import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApprovalExpiredError,
  END,
  Engine,
  FakeClock,
  defineGraph,
  type Graph,
  type Json,
  type Store,
} from '@kestrion/core';
import { openStore } from '@kestrion/store';
import { ScriptedProvider } from '@kestrion/testing';
import { batchGraph } from './approval-fixtures';

function modelThenGate(effects: string[]): Graph {
  return defineGraph({
    name: 'later',
    start: 'think',
    tools: [
      { name: 'deploy', requiresApproval: true, invoke: (a) => (effects.push(JSON.stringify(a)), 'ok') },
    ],
    nodes: {
      think: async (ctx) => {
        const r = await ctx.callModel({ model: 'm', messages: [{ role: 'user', content: 'deploy?' }] });
        return { next: 'act', patch: { set: { plan: r.text } } };
      },
      act: async (ctx) => ({
        next: END,
        output: (await ctx.callTool('deploy', { plan: ctx.state.plan ?? null })) as unknown as Json,
      }),
    },
  });
}

describe('approvals across processes and hours', () => {
  let dir: string;
  const url = () => `sqlite://${join(dir, 'later.db')}`;
  const opened: Store[] = [];
  const open = async () => {
    const s = await openStore(url());
    opened.push(s);
    return s;
  };
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'kestrion-later-'))));
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('parks, is approved six hours later by another store connection, resumes in a third: tool once, model once', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 26, 9));
    const effects: string[] = [];
    const provider = new ScriptedProvider([{ text: 'ship v2' }]);
    const first = new Engine({ store: await open(), graph: modelThenGate(effects), provider, clock });
    const parked = await first.run('go');
    expect(parked.status).toBe('waiting_on_human');
    clock.advance(6 * 3600_000);
    await new Engine({ store: await open(), graph: modelThenGate(effects), clock }).approve(parked.runId, {
      by: 'alice',
    });
    const third = new Engine({ store: await open(), graph: modelThenGate(effects), provider, clock });
    const done = await third.resume(parked.runId);
    expect(done.status).toBe('completed');
    expect(effects).toEqual(['{"plan":"ship v2"}']);
    expect(provider.callCount).toBe(1);
    expect(done.totals.llmCalls).toBe(1);
  });

  it.each([
    ['reject', 'completed', 'rejected'],
    ['fail', 'failed', undefined],
    ['expire', 'expired', undefined],
  ] as const)(
    'applies the %s outcome when the deadline, anchored at the request, passes',
    async (outcome, status, result) => {
      const clock = new FakeClock(Date.UTC(2026, 10, 26, 9));
      const effects: string[] = [];
      const graph = batchGraph(effects, [{ tool: 'deploy', args: { v: 1 } }], {
        approvalTimeoutMs: 3600_000,
        onApprovalTimeout: outcome,
      });
      const engine = new Engine({ store: await open(), graph, clock });
      const parked = await engine.run('go');
      expect(parked.pending[0]?.deadline).toBe('2026-11-26T10:00:00.000Z');
      clock.advance(30 * 60_000);
      expect((await engine.resume(parked.runId)).status).toBe('waiting_on_human'); // a resume does not move the deadline
      clock.advance(31 * 60_000);
      await expect(engine.approve(parked.runId, { by: 'late-larry' })).rejects.toBeInstanceOf(
        ApprovalExpiredError,
      );
      const done = await engine.resume(parked.runId);
      expect(done.status).toBe(status);
      if (result) expect(done.output).toEqual([expect.objectContaining({ status: result })]);
      expect(effects).toEqual([]);
    },
  );

  it('records the expiry when a parked run is resumed past its deadline with no decision', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 26, 9));
    const effects: string[] = [];
    const graph = batchGraph(effects, [{ tool: 'deploy', args: { v: 1 } }], {
      approvalTimeoutMs: 60_000,
      onApprovalTimeout: 'expire',
    });
    const engine = new Engine({ store: await open(), graph, clock });
    const parked = await engine.run('go');
    clock.advance(61_000);
    const done = await engine.resume(parked.runId);
    expect(done.status).toBe('expired');
    expect(effects).toEqual([]);
  });
});
