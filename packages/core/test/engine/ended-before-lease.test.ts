import { END, Engine, InMemoryStore, type LeaseRequest, defineGraph } from '@kestrion/core';

/** A run that ends in another process between the engine's look and its lease. */
class EndsBeforeLease extends InMemoryStore {
  override async acquireLease(runId: string, req: LeaseRequest) {
    const head = (await this.getRun(runId))?.headSeq ?? 0;
    await this.append(runId, head, [
      { id: `cancel-${runId}`, type: 'run.cancelled', at: new Date().toISOString(), data: { by: 'ops' } },
    ]);
    return super.acquireLease(runId, req);
  }
}

describe('Engine: a run that ended between the look and the lease', () => {
  it('answers with the ended run: the store refuses the lease (RunEndedError) and nothing is driven', async () => {
    const store = new EndsBeforeLease();
    const ran: string[] = [];
    const graph = defineGraph({
      name: 'g',
      start: 'a',
      nodes: {
        a: async () => {
          ran.push('a');
          return { next: END, output: 'done' };
        },
      },
    });
    const engine = new Engine({ store, graph });
    const runId = await engine.start('go');
    const view = await engine.resume(runId);
    expect(view.status).toBe('cancelled');
    expect(ran).toEqual([]);
    expect(await store.getRun(runId)).toMatchObject({ status: 'cancelled', leaseOwner: null });
  });
});
