import { describe, expect, it } from '@jest/globals';
import { InMemoryStore, type NewEvent, type RunRecord, type StoredEvent } from '@kestrion/core';
import { foldEvents, projectRunRecord } from '@kestrion/core/store-kit';

let n = 0;
const ev = (type: string, data: unknown): NewEvent => {
  n += 1;
  return {
    id: `e${n}`,
    type,
    at: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(),
    data: data as never,
  };
};
const D1 = '2026-01-02T00:00:00.000Z';
const D2 = '2026-01-01T12:00:00.000Z';
const requested = (callId: string) =>
  ev('tool.requested', { callId, stepKey: `1:${callId}`, tool: 't', args: {}, argsHash: 'h' });
const gated = (callId: string, deadline?: string) =>
  ev('approval.requested', {
    callId,
    tool: 't',
    argsHash: 'h',
    roles: [],
    ...(deadline ? { deadline } : {}),
  });

async function appendAll(s: InMemoryStore, runId: string, events: NewEvent[]): Promise<RunRecord> {
  const head = (await s.getRun(runId))?.headSeq ?? 0;
  await s.append(runId, head, events);
  return (await s.getRun(runId)) as RunRecord;
}

describe('runs row: what a scheduler needs without folding', () => {
  it('approvalDeadlines and nextDueAtMs follow the calls awaiting approval with a deadline', async () => {
    const s = new InMemoryStore();
    let row = await appendAll(s, 'r1', [ev('run.started', { agent: 'a', input: null })]);
    expect(row).toMatchObject({
      approvalDeadlines: {},
      nextDueAtMs: null,
      waitingOnRun: null,
      runnable: true,
    });
    row = await appendAll(s, 'r1', [
      ev('node.entered', { node: 'n', visit: 1 }),
      requested('c1'),
      requested('c2'),
      requested('c3'),
      gated('c1', D1),
      gated('c2', D2),
      gated('c3'),
      ev('run.waiting', { reason: 'approval', node: 'n' }),
    ]);
    expect(row).toMatchObject({
      approvalDeadlines: { c1: Date.parse(D1), c2: Date.parse(D2) },
      nextDueAtMs: Date.parse(D2),
      pendingApprovals: 3,
      runnable: false,
    });
    row = await appendAll(s, 'r1', [ev('approval.rejected', { callId: 'c2', by: 'bob' })]);
    expect(row).toMatchObject({ approvalDeadlines: { c1: Date.parse(D1) }, nextDueAtMs: Date.parse(D1) });
    // A partial chain keeps the deadline; a caller's copy is its own.
    row.approvalDeadlines.c9 = 1;
    row = await appendAll(s, 'r1', [
      ev('approval.granted', { callId: 'c1', tool: 't', by: 'a', argsHash: 'h', complete: false }),
    ]);
    expect(row.approvalDeadlines).toEqual({ c1: Date.parse(D1) });
    row = await appendAll(s, 'r1', [ev('approval.expired', { callId: 'c1', outcome: 'reject' })]);
    expect(row).toMatchObject({
      approvalDeadlines: {},
      nextDueAtMs: null,
      pendingApprovals: 1,
      runnable: false,
    });
    row = await appendAll(s, 'r1', [
      ev('approval.granted', { callId: 'c3', tool: 't', by: 'a', argsHash: 'h', complete: true }),
    ]);
    expect(row).toMatchObject({ status: 'pending', pendingApprovals: 0, runnable: true });
  });

  it('the run ending clears deadlines, and a cancel requested on a parked run makes it runnable', async () => {
    const s = new InMemoryStore();
    await appendAll(s, 'r2', [ev('run.started', { agent: 'a', input: null })]);
    let row = await appendAll(s, 'r2', [
      ev('node.entered', { node: 'n', visit: 1 }),
      requested('c1'),
      gated('c1', D1),
      ev('run.waiting', { reason: 'approval', node: 'n' }),
    ]);
    expect(row).toMatchObject({ runnable: false, nextDueAtMs: Date.parse(D1) });
    row = await appendAll(s, 'r2', [ev('run.cancel_requested', { by: 'ops' })]);
    expect(row).toMatchObject({ status: 'waiting_on_human', runnable: true });
    // Carried from the row alone on a later append.
    row = await appendAll(s, 'r2', [ev('acme:note', { text: 'still parked' })]);
    expect(row).toMatchObject({ status: 'waiting_on_human', runnable: true });
    row = await appendAll(s, 'r2', [ev('run.cancelled', { by: 'ops' })]);
    expect(row).toMatchObject({
      status: 'cancelled',
      waitingReason: null,
      pendingApprovals: 0,
      approvalDeadlines: {},
      nextDueAtMs: null,
      runnable: false,
    });
  });

  it('waitingOnRun names the run a suspended call waits on until the call is started again', async () => {
    const s = new InMemoryStore();
    await appendAll(s, 'r3', [ev('run.started', { agent: 'a', input: null })]);
    let row = await appendAll(s, 'r3', [
      ev('node.entered', { node: 'n', visit: 1 }),
      requested('c1'),
      ev('tool.started', { callId: 'c1', attempt: 1, idempotencyKey: 'k' }),
      ev('tool.suspended', { callId: 'c1', waitingOn: 'child-1', reason: 'approval' }),
      ev('run.waiting', { reason: 'approval', node: 'n' }),
    ]);
    expect(row).toMatchObject({ waitingOnRun: 'child-1', runnable: false, pendingApprovals: 0 });
    row = await appendAll(s, 'r3', [ev('tool.started', { callId: 'c1', attempt: 2, idempotencyKey: 'k' })]);
    expect(row).toMatchObject({ waitingOnRun: null, status: 'running', runnable: true });
    row = await appendAll(s, 'r3', [
      ev('tool.suspended', { callId: 'c1', waitingOn: 'child-1', reason: 'input' }),
      ev('run.waiting', { reason: 'input', node: 'n' }),
    ]);
    expect(row.waitingOnRun).toBe('child-1');
    row = await appendAll(s, 'r3', [ev('run.failed', { error: { code: 'x', message: 'gone' } })]);
    expect(row).toMatchObject({ waitingOnRun: null, runnable: false });
  });

  it('never mutates the previous row', () => {
    const at = '2026-01-01T00:00:00.000Z';
    const e = (seq: number, type: string, data: unknown): StoredEvent =>
      ({ runId: 'p', seq, id: `p${seq}`, type, v: 1, at, data }) as StoredEvent;
    const prev = projectRunRecord(undefined, [
      e(1, 'run.started', { agent: 'a', input: null }),
      e(2, 'tool.requested', { callId: 'c', stepKey: '1:0', tool: 't', args: {}, argsHash: 'h' }),
      e(3, 'approval.requested', { callId: 'c', tool: 't', argsHash: 'h', roles: [], deadline: D1 }),
    ]);
    const frozen = JSON.stringify(prev);
    const next = projectRunRecord(prev, [e(4, 'approval.rejected', { callId: 'c', by: 'b' })]);
    expect(JSON.stringify(prev)).toBe(frozen);
    expect(next.approvalDeadlines).toEqual({});
  });
});

describe('runs row of a fork', () => {
  const at = '2026-01-01T00:00:00.000Z';
  const e = (seq: number, type: string, data: unknown): StoredEvent =>
    ({ runId: 'f', seq, id: `f${seq}`, type, v: 1, at, data }) as StoredEvent;
  const prefix = [
    e(1, 'run.started', { agent: 'a', input: null }),
    e(2, 'node.entered', { node: 'n', visit: 1 }),
    e(3, 'tool.requested', { callId: 'c1', stepKey: '1:0', tool: 't', args: {}, argsHash: 'h' }),
    e(4, 'approval.requested', {
      callId: 'c1',
      tool: 't',
      argsHash: 'h',
      roles: ['sre', 'lead'],
      deadline: D1,
    }),
    e(5, 'approval.granted', {
      callId: 'c1',
      tool: 't',
      by: 'a',
      role: 'sre',
      argsHash: 'h',
      complete: false,
    }),
    e(6, 'run.waiting', { reason: 'approval', node: 'n' }),
  ];

  it('a revoked partial chain no longer counts as pending, and the run is no longer parked (as the fold says)', () => {
    const forked = [...prefix, e(7, 'run.forked', { fromRunId: 'src', atSeq: 6, revokedApprovals: ['c1'] })];
    const row = projectRunRecord(undefined, forked);
    const state = foldEvents(undefined, forked)!;
    expect(state).toMatchObject({ status: 'pending' });
    expect(state.waitingReason).toBeUndefined();
    expect(row).toMatchObject({
      status: 'pending',
      waitingReason: null,
      pendingApprovals: 0,
      approvalDeadlines: {},
      nextDueAtMs: null,
      runnable: true,
    });
  });
});
