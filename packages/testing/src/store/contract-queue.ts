import { randomUUID } from 'node:crypto';
import type { Lease, Store } from '@kestrion/core';
import { type ContractContext, entered, ev, started } from './contract-context';

/**
 * The runs table as the queue: what `claimNext` takes, in which order, and when. Every test
 * claims with an agent name of its own, so the suite's other runs never interfere.
 */
export function queueContract(ctx: ContractContext): void {
  describe('the runs table as the queue', () => {
    const agentName = () => `queue-${randomUUID().slice(0, 8)}`;
    /** Far in the future: every lease taken by other tests has lapsed, every deadline passed unless set later. */
    const NOW = Date.UTC(2040, 0, 1);
    const claim = (s: Store, agent: string, now = NOW, extra: { concurrencyKeyLimit?: number } = {}) =>
      s.claimNext({ owner: `w-${randomUUID().slice(0, 6)}`, ttlMs: 60_000, now, agents: [agent], ...extra });
    async function claimAll(s: Store, agent: string): Promise<string[]> {
      const out: string[] = [];
      for (let l = await claim(s, agent); l; l = await claim(s, agent)) out.push(l.runId);
      return out;
    }

    it('counts runs by status (countRunsByStatus), the figure a queue-depth metric reports', async () => {
      const s = ctx.store();
      if (!s.countRunsByStatus) return; // optional in the port; the stores here all have it
      const before = await s.countRunsByStatus();
      const agent = agentName();
      const parked = ctx.newRunId('count');
      await s.append(ctx.newRunId('count'), 0, [started(agent)]);
      await s.append(ctx.newRunId('count'), 0, [started(agent)]);
      await s.append(parked, 0, [
        started(agent),
        entered('a', 1),
        ev('run.waiting', { reason: 'input', node: 'a' }),
      ]);
      const after = await s.countRunsByStatus();
      expect((after.pending ?? 0) - (before.pending ?? 0)).toBe(2);
      expect((after.waiting_on_human ?? 0) - (before.waiting_on_human ?? 0)).toBe(1);
      expect(Object.values(after).every((n) => Number.isInteger(n) && (n as number) > 0)).toBe(true);
    });

    it('claims the highest priority first, then the oldest run, and records both on the row', async () => {
      const s = ctx.store();
      const agent = agentName();
      const ids: Record<string, string> = {};
      for (const [name, priority] of [
        ['low', -1],
        ['old-normal', undefined],
        ['urgent', 5],
        ['new-normal', 0],
        ['urgent-later', 5],
      ] as const) {
        ids[name] = ctx.newRunId(name);
        await s.append(ids[name] as string, 0, [
          started(agent, priority === undefined ? {} : { priority, concurrencyKey: `k-${name}` }),
        ]);
      }
      expect(await s.getRun(ids.urgent as string)).toMatchObject({ priority: 5, concurrencyKey: 'k-urgent' });
      expect(await s.getRun(ids['old-normal'] as string)).toMatchObject({
        priority: 0,
        concurrencyKey: null,
      });
      expect(await claimAll(s, agent)).toEqual(
        ['urgent', 'urgent-later', 'old-normal', 'new-normal', 'low'].map((n) => ids[n]),
      );
    });

    it('does not claim a throttled run before its time, claims it at its time, and any later event ends the throttle', async () => {
      const s = ctx.store();
      const agent = agentName();
      const id = ctx.newRunId('throttled');
      const until = NOW + 30_000;
      await s.append(id, 0, [started(agent), entered('a', 1)]);
      await s.append(id, 2, [
        ev('llm.requested', { stepKey: '1:0', model: 'm', attempt: 1 }),
        ev('llm.failed', { stepKey: '1:0', attempt: 1, error: { code: 'quota_exhausted', message: 'full' } }),
        ev('run.throttled', { node: 'a', bucket: 'openai:m', reason: 'tokens', untilMs: until }),
      ]);
      expect(await s.getRun(id)).toMatchObject({ status: 'pending', runnable: false, nextDueAtMs: until });
      expect(await claim(s, agent, until - 1)).toBeUndefined();
      const lease = (await claim(s, agent, until)) as Lease;
      expect(lease.runId).toBe(id);
      await s.append(id, 5, [ev('llm.requested', { stepKey: '1:0', model: 'm', attempt: 2 })], { lease });
      expect(await s.getRun(id)).toMatchObject({ status: 'running', runnable: true, nextDueAtMs: null });
    });

    it('claims a parked run when its approval deadline passes, never before, and never one parked without a deadline', async () => {
      const s = ctx.store();
      const agent = agentName();
      const deadline = NOW + 3_600_000;
      const withDeadline = ctx.newRunId('deadline');
      const without = ctx.newRunId('no-deadline');
      for (const [id, due] of [
        [withDeadline, true],
        [without, false],
      ] as const)
        await s.append(id, 0, [
          started(agent),
          entered('a', 1),
          ev('tool.requested', { callId: 'c1', stepKey: '1:0', tool: 't', args: {}, argsHash: 'h' }),
          ev('approval.requested', {
            callId: 'c1',
            tool: 't',
            argsHash: 'h',
            roles: [],
            ...(due ? { deadline: new Date(deadline).toISOString() } : {}),
          }),
          ev('run.waiting', { reason: 'approval', node: 'a' }),
        ]);
      expect(await claim(s, agent, deadline - 1)).toBeUndefined();
      expect((await claim(s, agent, deadline))?.runId).toBe(withDeadline);
      // Hours later (the first claim's lease lapsed, nobody drove the run): the due run again,
      // and still never the one parked without a deadline.
      const later = deadline + 10 * 3_600_000;
      expect((await claim(s, agent, later))?.runId).toBe(withDeadline);
      expect(await claim(s, agent, later)).toBeUndefined();
    });

    it('claims a parked run whose cancel was requested (the driver records the cancel)', async () => {
      const s = ctx.store();
      const agent = agentName();
      const id = ctx.newRunId('cancel');
      await s.append(id, 0, [
        started(agent),
        entered('a', 1),
        ev('run.waiting', { reason: 'input', node: 'a' }),
      ]);
      expect(await claim(s, agent)).toBeUndefined();
      await s.append(id, 3, [ev('run.cancel_requested', { by: 'ops' })]);
      expect((await claim(s, agent))?.runId).toBe(id);
    });

    it('drives at most concurrencyKeyLimit runs of one key at once, across concurrent claimers; runs without a key are not limited', async () => {
      const s = ctx.store();
      const agent = agentName();
      const runs: Array<[string, string | undefined]> = [];
      for (let i = 0; i < 4; i++) runs.push([ctx.newRunId('acme'), 'acme']);
      for (let i = 0; i < 2; i++) runs.push([ctx.newRunId('globex'), 'globex']);
      for (let i = 0; i < 2; i++) runs.push([ctx.newRunId('free'), undefined]);
      for (const [id, key] of runs)
        await s.append(id, 0, [started(agent, key ? { concurrencyKey: key } : {})]);
      const keyOf = new Map(runs);
      // Eight claimers at once: one acme, one globex, both keyless.
      const got = (
        await Promise.all(Array.from({ length: 8 }, () => claim(s, agent, NOW, { concurrencyKeyLimit: 1 })))
      ).filter((l): l is Lease => l !== undefined);
      const keys = got.map((l) => keyOf.get(l.runId) ?? 'none').sort();
      expect(keys).toEqual(['acme', 'globex', 'none', 'none']);
      // A second acme run is claimable once the first acme lease is released...
      const acme = got.find((l) => keyOf.get(l.runId) === 'acme') as Lease;
      expect(await claim(s, agent, NOW, { concurrencyKeyLimit: 1 })).toBeUndefined();
      await s.releaseLease(acme);
      const next = await claim(s, agent, NOW, { concurrencyKeyLimit: 1 });
      expect(keyOf.get(next?.runId as string)).toBe('acme');
      // ...or once it lapses (a dead worker holds no slot of its key past its lease).
      expect((await claim(s, agent, NOW + 60_000, { concurrencyKeyLimit: 2 }))?.runId).toBeDefined();
      // Without a limit, every remaining run is claimable.
      expect((await claimAll(s, agent)).length).toBeGreaterThan(0);
    });
  });
}
