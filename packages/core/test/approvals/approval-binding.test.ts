import {
  ApprovalMismatchError,
  ApprovalNotFoundError,
  Engine,
  InMemoryStore,
  type Json,
  type StoredEvent,
} from '@kestrion/core';
import { jsonHash } from '@kestrion/core/provider-kit';
import { batchGraph } from './approval-fixtures';

async function setup() {
  const store = new InMemoryStore();
  const effects: string[] = [];
  const engine = new Engine({
    store,
    graph: batchGraph(effects, [{ tool: 'deploy', args: { replicas: 3 } }]),
  });
  const parked = await engine.run('go');
  const call = parked.pending[0]!;
  return { store, effects, engine, parked, call };
}

async function forge(store: InMemoryStore, runId: string, data: Json): Promise<void> {
  const head = (await store.getRun(runId))!.headSeq;
  await store.append(runId, head, [
    { id: `forged-${head}`, type: 'approval.granted', at: new Date().toISOString(), data },
  ]);
}

describe('approval binding (run, call, tool, argsHash)', () => {
  it('refuses an approval for arguments other than the ones pending', async () => {
    const { engine, parked, effects } = await setup();
    await expect(
      engine.approve(parked.runId, { by: 'eve', argsHash: jsonHash({ replicas: 300 }) }),
    ).rejects.toBeInstanceOf(ApprovalMismatchError);
    expect((await engine.resume(parked.runId)).status).toBe('waiting_on_human');
    expect(effects).toEqual([]);
  });

  it('executes nothing on a grant forged into the log for another tool', async () => {
    const { store, engine, parked, call, effects } = await setup();
    await forge(store, parked.runId, {
      callId: call.callId,
      tool: 'page',
      by: 'eve',
      argsHash: call.argsHash,
      complete: true,
    });
    const done = await engine.resume(parked.runId);
    expect(done.output).toEqual([
      expect.objectContaining({
        status: 'failed',
        error: expect.objectContaining({ code: 'approval_mismatch' }),
      }),
    ]);
    expect(effects).toEqual([]);
  });

  it('executes nothing on a forged grant for other arguments, or an edit whose hash lies', async () => {
    for (const data of [
      (c: { callId: string; argsHash: string }) => ({
        callId: c.callId,
        tool: 'deploy',
        by: 'eve',
        argsHash: jsonHash({ replicas: 99 }),
        complete: true,
      }),
      (c: { callId: string; argsHash: string }) => ({
        callId: c.callId,
        tool: 'deploy',
        by: 'eve',
        argsHash: c.argsHash,
        complete: true,
        editedArgs: { replicas: 999 },
        editedArgsHash: c.argsHash,
      }),
    ]) {
      const { store, engine, parked, call, effects } = await setup();
      await forge(store, parked.runId, data(call));
      const done = await engine.resume(parked.runId);
      expect(done.output).toEqual([
        expect.objectContaining({
          status: 'failed',
          error: expect.objectContaining({ code: 'approval_mismatch' }),
        }),
      ]);
      expect(effects).toEqual([]);
    }
  });

  it('does not let an approval from one run decide a call of another', async () => {
    const a = await setup();
    const store = a.store;
    const effects: string[] = [];
    const other = new Engine({
      store,
      graph: batchGraph(effects, [{ tool: 'deploy', args: { replicas: 3 } }]),
    });
    const b = await other.run('go');
    await expect(other.approve(b.runId, { callId: a.call.callId, by: 'eve' })).rejects.toBeInstanceOf(
      ApprovalNotFoundError,
    );
    await a.engine.approve(a.parked.runId, { by: 'alice' });
    const granted: StoredEvent[] = [];
    for await (const e of store.readEvents(a.parked.runId))
      if (e.type === 'approval.granted') granted.push(e);
    await forge(store, b.runId, granted[0]!.data); // replayed verbatim into run b
    expect((await other.resume(b.runId)).status).toBe('waiting_on_human');
    expect(effects).toEqual([]);
  });

  it('records edited arguments and their hash as an explicit decision, and runs the edited call', async () => {
    const { engine, parked, effects } = await setup();
    const view = await engine.approve(parked.runId, { by: 'alice', args: { replicas: 4 } });
    expect(view.status).toBe('pending');
    await engine.resume(parked.runId);
    expect(effects).toEqual(['deploy:{"replicas":4}']);
  });
});
