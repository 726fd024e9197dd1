import {
  END,
  Engine,
  FakeClock,
  defineGraph,
  type ExpiryOutcome,
  type Json,
  type RunStatus,
  type ToolDefinition,
} from '@kestrion/core';
import { type ContractContext, ev } from './contract-context';

interface Gate {
  onReject?: 'return' | 'fail';
  onApprovalTimeout?: ExpiryOutcome;
}

/** One node that calls two gated tools in one batch: the run parks with two approvals pending. */
function gatedGraph(agent: string, gate: Gate) {
  const tool = (name: string): ToolDefinition => ({
    name,
    requiresApproval: true,
    approvalTimeoutMs: 60_000,
    ...gate,
    invoke: () => ({ done: name }),
  });
  return defineGraph({
    name: agent,
    start: 'act',
    tools: [tool('deploy'), tool('page')],
    nodes: {
      act: async (ctx) => ({
        next: END,
        output: (await ctx.callTools([
          { tool: 'deploy', args: { v: 1 } },
          { tool: 'page', args: { v: 2 } },
        ])) as unknown as Json,
      }),
    },
  });
}

/** Each way a run parked on approvals ends, through the engine as an application ends it. */
const endings: Array<
  [RunStatus, string, Gate, (e: Engine, runId: string, clock: FakeClock) => Promise<unknown>]
> = [
  [
    'completed',
    'both calls approved, then driven to the end',
    {},
    async (e, runId) => {
      const parked = await e.get(runId);
      for (const p of parked.pending) await e.approve(runId, { callId: p.callId, by: 'alice' });
      return e.resume(runId);
    },
  ],
  [
    'failed',
    'rejections with onReject: fail',
    { onReject: 'fail' },
    async (e, runId) => {
      // The batch goes on once every call is decided; the rejection then fails the run.
      const parked = await e.get(runId);
      for (const p of parked.pending) await e.reject(runId, { callId: p.callId, by: 'bob', reason: 'no' });
      return e.resume(runId);
    },
  ],
  [
    'failed',
    'an approval deadline passing with onApprovalTimeout: fail',
    { onApprovalTimeout: 'fail' },
    async (e, runId, clock) => {
      clock.advance(61_000);
      return e.resume(runId);
    },
  ],
  [
    'expired',
    'an approval deadline passing with onApprovalTimeout: expire',
    { onApprovalTimeout: 'expire' },
    async (e, runId, clock) => {
      clock.advance(61_000);
      return e.resume(runId);
    },
  ],
  [
    'cancelled',
    'a cancel while parked',
    {},
    async (e, runId) => {
      await e.cancel(runId, 'ops', 'not needed');
      return e.resume(runId);
    },
  ],
];

export function endingsContract(ctx: ContractContext): void {
  describe('runs ended by the engine while waiting for approval', () => {
    it.each(endings)(
      'a %s run (%s) has no pending approvals and never lists as waiting, even after later appends',
      async (status, _how, gate, end) => {
        const s = ctx.store();
        const agent = `ending-${ctx.newRunId()}`;
        const clock = new FakeClock(Date.UTC(2026, 5, 1, 12));
        const engine = new Engine({ store: s, graph: gatedGraph(agent, gate), clock });
        const parked = await engine.run('go');
        expect(parked.status).toBe('waiting_on_human');
        expect(await s.getRun(parked.runId)).toMatchObject({
          pendingApprovals: 2,
          waitingReason: 'approval',
        });
        expect((await s.getRun(parked.runId))?.nextDueAtMs).toBe(clock.now() + 60_000);
        const waiting = async () => (await s.listRuns({ agent, waitingApprovals: true })).runs;
        expect((await waiting()).map((r) => r.runId)).toEqual([parked.runId]);

        await end(engine, parked.runId, clock);

        const isEnded = {
          status,
          pendingApprovals: 0,
          waitingReason: null,
          approvalDeadlines: {},
          nextDueAtMs: null,
          waitingOnRun: null,
          runnable: false,
          leaseOwner: null,
        };
        expect(await s.getRun(parked.runId)).toMatchObject(isEnded);
        expect((await engine.get(parked.runId)).pending).toEqual([]);
        expect(await waiting()).toEqual([]);
        expect((await s.listRuns({ agent, status: 'waiting_on_human' })).runs).toEqual([]);
        expect((await s.listRuns({ agent, status })).runs.map((r) => r.runId)).toEqual([parked.runId]);

        // Events appended to an ended run (an extension note, a stray request and park) do not
        // bring it back onto the waiting list.
        const head = (await s.getRun(parked.runId))?.headSeq ?? 0;
        await s.append(parked.runId, head, [
          { ...ev('run.waiting', { reason: 'approval' }), type: 'acme:note.added', data: { note: 'audit' } },
          ev('approval.requested', {
            callId: 'late',
            tool: 'deploy',
            argsHash: 'h',
            roles: [],
            deadline: '2030-01-01T00:00:00.000Z',
          }),
          ev('run.waiting', { reason: 'approval' }),
        ]);
        expect(await s.getRun(parked.runId)).toMatchObject({ ...isEnded, headSeq: head + 3 });
        expect(await waiting()).toEqual([]);
        expect((await s.listRuns({ agent, status: 'waiting_on_human' })).runs).toEqual([]);
      },
    );
  });
}
