import { ConfigurationError, type NewEvent } from '@kestrion/core';
import { projectRunRecord } from '@kestrion/core/store-kit';
import { type ContractContext, entered, ev, started } from './contract-context';

export function runsContract(ctx: ContractContext): void {
  describe('runs projection', () => {
    it('persists the scheduling fields (deadlines, next due, run waited on, runnable) with every append', async () => {
      const s = ctx.store();
      const id = ctx.newRunId();
      const child = ctx.newRunId('child');
      await s.append(id, 0, [started('ops')]);
      expect(await s.getRun(id)).toMatchObject({
        approvalDeadlines: {},
        nextDueAtMs: null,
        waitingOnRun: null,
        runnable: true,
      });
      const d1 = '2030-01-02T03:04:05.000Z';
      const d2 = '2030-01-01T00:00:00.000Z';
      await s.append(id, 1, [
        entered('apply', 1),
        ev('approval.requested', { callId: 'c1', tool: 'apply', argsHash: 'h1', roles: [], deadline: d1 }),
        ev('approval.requested', { callId: 'c2', tool: 'apply', argsHash: 'h2', roles: [], deadline: d2 }),
        ev('run.waiting', { reason: 'approval', node: 'apply' }),
      ]);
      const parked = await s.getRun(id);
      expect(parked).toMatchObject({
        approvalDeadlines: { c1: Date.parse(d1), c2: Date.parse(d2) },
        nextDueAtMs: Date.parse(d2),
        waitingOnRun: null,
        runnable: false,
      });
      await s.append(id, 5, [
        ev('approval.granted', {
          callId: 'c2',
          tool: 'apply',
          by: 'a',
          role: 'sre',
          argsHash: 'h2',
          complete: true,
        }),
        ev('tool.suspended', { callId: 'c3', waitingOn: child, reason: 'approval' }),
      ]);
      const row = await s.getRun(id);
      expect(row).toMatchObject({
        approvalDeadlines: { c1: Date.parse(d1) },
        nextDueAtMs: Date.parse(d1),
        waitingOnRun: child,
      });
      // Whatever the projection decides, the store gives back exactly what it computed.
      const events = [];
      for await (const e of s.readEvents(id)) events.push(e);
      const projected = projectRunRecord(undefined, events);
      for (const field of ['approvalDeadlines', 'nextDueAtMs', 'waitingOnRun', 'runnable'] as const)
        expect(row?.[field]).toEqual(projected[field]);
    });

    it('tracks status, waiting reason and pending approvals in the append transaction', async () => {
      const s = ctx.store();
      const id = ctx.newRunId();
      const parent = ctx.newRunId('parent');
      await s.append(id, 0, [started('ops', { parentRunId: parent })]);
      expect(await s.getRun(id)).toMatchObject({
        status: 'pending',
        agent: 'ops',
        parentRunId: parent,
        headSeq: 1,
        pendingApprovals: 0,
      });
      await s.append(id, 1, [
        entered('apply', 1),
        ev('tool.requested', { callId: 'c1', stepKey: '1:0', tool: 'apply', args: {}, argsHash: 'h1' }),
        ev('tool.requested', { callId: 'c2', stepKey: '1:1', tool: 'apply', args: {}, argsHash: 'h2' }),
        ev('approval.requested', { callId: 'c1', tool: 'apply', argsHash: 'h1', roles: ['sre', 'lead'] }),
        ev('approval.requested', { callId: 'c2', tool: 'apply', argsHash: 'h2', roles: [] }),
        ev('run.waiting', { reason: 'approval', node: 'apply' }),
      ]);
      expect(await s.getRun(id)).toMatchObject({
        status: 'waiting_on_human',
        waitingReason: 'approval',
        pendingApprovals: 2,
      });
      await s.append(id, 7, [
        ev('approval.granted', {
          callId: 'c1',
          tool: 'apply',
          by: 'a',
          role: 'sre',
          argsHash: 'h1',
          complete: false,
        }),
      ]);
      expect((await s.getRun(id))?.pendingApprovals).toBe(2);
      await s.append(id, 8, [
        ev('approval.granted', {
          callId: 'c1',
          tool: 'apply',
          by: 'b',
          role: 'lead',
          argsHash: 'h1',
          complete: true,
        }),
      ]);
      expect(await s.getRun(id)).toMatchObject({ status: 'waiting_on_human', pendingApprovals: 1 });
      await s.append(id, 9, [ev('approval.rejected', { callId: 'c2', by: 'c', reason: 'risky' })]);
      expect(await s.getRun(id)).toMatchObject({
        status: 'pending',
        waitingReason: null,
        pendingApprovals: 0,
        headSeq: 10,
      });
      await s.append(id, 10, [ev('run.completed', { output: 'done' })]);
      const done = await s.getRun(id);
      expect(done?.status).toBe('completed');
      expect(done!.updatedAt > done!.createdAt).toBe(true);
    });

    // Every way a run ends clears what it waited on: an ended run is never listed as waiting.
    const endings: Array<[string, (callId: string) => NewEvent[]]> = [
      ['run.completed', () => [ev('run.completed', { output: 'done' })]],
      ['run.failed', () => [ev('run.failed', { error: { code: 'limit_exceeded', message: 'too long' } })]],
      [
        'run.cancel_requested + run.cancelled',
        () => [ev('run.cancel_requested', { by: 'ops' }), ev('run.cancelled', { by: 'ops' })],
      ],
      ['run.cancelled', () => [ev('run.cancelled', { by: 'ops' })]],
      ['approval.expired (expire)', (callId) => [ev('approval.expired', { callId, outcome: 'expire' })]],
      [
        'approval.expired (fail) + run.failed',
        (callId) => [
          ev('approval.expired', { callId, outcome: 'fail' }),
          ev('run.failed', { error: { code: 'approval_expired', message: 'expired' } }),
        ],
      ],
    ];
    it.each(endings)(
      'a run ended by %s while waiting for approval is no longer listed as waiting',
      async (_name, end) => {
        const s = ctx.store();
        const agent = `ended-${ctx.newRunId()}`;
        const id = ctx.newRunId();
        await s.append(id, 0, [
          started(agent),
          entered('apply', 1),
          ev('tool.requested', { callId: 'c1', stepKey: '1:0', tool: 'apply', args: {}, argsHash: 'h1' }),
          ev('tool.requested', { callId: 'c2', stepKey: '1:1', tool: 'apply', args: {}, argsHash: 'h2' }),
          ev('approval.requested', {
            callId: 'c1',
            tool: 'apply',
            argsHash: 'h1',
            roles: [],
            deadline: '2026-01-02T00:00:00.000Z',
          }),
          ev('approval.requested', { callId: 'c2', tool: 'apply', argsHash: 'h2', roles: ['sre', 'lead'] }),
          ev('approval.granted', {
            callId: 'c2',
            tool: 'apply',
            by: 'a',
            role: 'sre',
            argsHash: 'h2',
            complete: false,
          }),
          ev('run.waiting', { reason: 'approval', node: 'apply' }),
        ]);
        expect((await s.listRuns({ agent, waitingApprovals: true })).runs).toHaveLength(1);
        const head = (await s.getRun(id))?.headSeq ?? 0;
        await s.append(id, head, end('c1'));
        const row = await s.getRun(id);
        expect(row).toMatchObject({ waitingReason: null, pendingApprovals: 0 });
        expect(['completed', 'failed', 'cancelled', 'expired']).toContain(row?.status);
        expect((await s.listRuns({ agent, waitingApprovals: true })).runs).toEqual([]);
        expect((await s.listRuns({ agent, status: 'waiting_on_human' })).runs).toEqual([]);
      },
    );

    it('lists runs newest first with filters and a cursor that neither repeats nor skips', async () => {
      const s = ctx.store();
      const agent = `lister-${ctx.newRunId()}`;
      const ids: string[] = [];
      for (let i = 0; i < 23; i++) {
        const id = ctx.newRunId(`list${i}`);
        ids.push(id);
        const extra =
          i % 3 === 0
            ? [
                ev('tool.requested', { callId: 'c', stepKey: 'k', tool: 't', args: {}, argsHash: 'h' }),
                ev('approval.requested', { callId: 'c', tool: 't', argsHash: 'h', roles: [] }),
                ev('run.waiting', { reason: 'approval' }),
              ]
            : [entered('n', 1)];
        await s.append(id, 0, [started(agent), ...extra]);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await s.listRuns({ agent, limit: 10, ...(cursor ? { cursor } : {}) });
        seen.push(...page.runs.map((r) => r.runId));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([...ids].reverse());
      const waiting = await s.listRuns({ agent, waitingApprovals: true, limit: 100 });
      expect(waiting.runs.map((r) => r.runId).sort()).toEqual(ids.filter((_, i) => i % 3 === 0).sort());
      const byStatus = await s.listRuns({ agent, status: ['running'], limit: 100 });
      expect(byStatus.runs).toHaveLength(23 - 8);
      await expect(s.listRuns({ cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(ConfigurationError);
    });

    it('purges a whole run: events, snapshot and row', async () => {
      const s = ctx.store();
      const id = ctx.newRunId();
      await s.append(id, 0, [started()]);
      await s.purgeRun(id);
      expect(await s.getRun(id)).toBeUndefined();
      await s.append(id, 0, [started()]);
      expect((await s.getRun(id))?.headSeq).toBe(1);
    });
  });
}
