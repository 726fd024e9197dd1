import { ApprovalNotFoundError, Engine, InMemoryStore, type ToolResult } from '@kestrion/core';
import { batchGraph } from './approval-fixtures';

describe('approvals in a batch of calls', () => {
  it('checks every gated call before any call of the batch runs, then decides by callId only', async () => {
    const effects: string[] = [];
    const engine = new Engine({
      store: new InMemoryStore(),
      graph: batchGraph(effects, [
        { tool: 'lookup', args: { q: 1 } },
        { tool: 'deploy', args: { v: 1 } },
        { tool: 'page', args: { who: 'oncall' } },
        { tool: 'deploy', args: { v: 2 } },
      ]),
    });
    const parked = await engine.run('go');
    expect(effects).toEqual([]); // the ungated lookup waits for the batch too
    expect(parked.pending.map((p) => p.tool)).toEqual(['deploy', 'page', 'deploy']);
    const [d1, pg, d2] = parked.pending;
    await expect(engine.approve(parked.runId, { by: 'alice' })).rejects.toBeInstanceOf(ApprovalNotFoundError);
    await engine.approve(parked.runId, { callId: d2!.callId, by: 'alice' });
    await engine.reject(parked.runId, { callId: pg!.callId, by: 'bob', reason: 'no pages at night' });
    expect((await engine.get(parked.runId)).status).toBe('waiting_on_human');
    await engine.approve(parked.runId, { callId: d1!.callId, by: 'alice' });
    const done = await engine.resume(parked.runId);
    const results = done.output as unknown as ToolResult[];
    expect(results.map((r) => r.status)).toEqual(['completed', 'completed', 'rejected', 'completed']);
    expect(effects.sort()).toEqual(['deploy:{"v":1}', 'deploy:{"v":2}', 'lookup:{"q":1}']);
  });
});
