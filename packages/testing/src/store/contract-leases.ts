import {
  type Lease,
  LeaseLostError,
  RunBusyError,
  RunEndedError,
  RunNotFoundError,
  type RunStatus,
} from '@kestrion/core';
import { type ContractContext, entered, ev, readAll, seedRun, started } from './contract-context';

export function leaseContract(ctx: ContractContext): void {
  describe('leases', () => {
    it('grants one live lease, refuses a second owner, and lets an expired one be taken over', async () => {
      const s = ctx.store();
      const id = ctx.newRunId();
      await seedRun(s, id, 0);
      const a = await s.acquireLease(id, { owner: 'A', ttlMs: 1000, now: 10_000 });
      const busy = await s
        .acquireLease(id, { owner: 'B', ttlMs: 1000, now: 10_500 })
        .catch((e: unknown) => e);
      expect(busy).toBeInstanceOf(RunBusyError);
      expect((busy as RunBusyError).owner).toBe('A');
      const b = await s.acquireLease(id, { owner: 'B', ttlMs: 1000, now: 11_000 });
      expect(b.epoch).toBeGreaterThan(a.epoch);
      expect(await s.getRun(id)).toMatchObject({
        leaseOwner: 'B',
        leaseEpoch: b.epoch,
        leaseExpiresAtMs: 12_000,
      });
    });

    it('fences appends and renewals of a lease that was taken over', async () => {
      const s = ctx.store();
      const id = ctx.newRunId();
      await seedRun(s, id, 0);
      const zombie = await s.acquireLease(id, { owner: 'zombie', ttlMs: 100, now: 0 });
      await s.append(id, 1, [entered('z', 1)], { lease: zombie });
      const live = await s.acquireLease(id, { owner: 'live', ttlMs: 1000, now: 500 });
      await expect(s.append(id, 2, [entered('z', 2)], { lease: zombie })).rejects.toBeInstanceOf(
        LeaseLostError,
      );
      await expect(s.renewLease(zombie, { ttlMs: 100, now: 600 })).rejects.toBeInstanceOf(LeaseLostError);
      await s.releaseLease(zombie); // a lost lease releases nothing
      expect((await s.getRun(id))?.leaseOwner).toBe('live');
      await s.append(id, 2, [entered('l', 2)], { lease: live });
      expect((await readAll(s, id)).map((e) => (e.data as { node?: string }).node)).toEqual([
        undefined,
        'z',
        'l',
      ]);
    });

    it('fences an append whose lease a claim took over on the same store', async () => {
      const s = ctx.store();
      const id = ctx.newRunId('claimed');
      await s.append(id, 0, [started('fence-claim')]);
      const far = Date.UTC(2032, 0, 1);
      const first = await s.acquireLease(id, { owner: 'first', ttlMs: 10, now: far });
      await s.append(id, 1, [entered('a', 1)], { lease: first });
      let claimed;
      do claimed = await s.claimNext({ owner: 'claimer', ttlMs: 1000, now: far + 20 });
      while (claimed && claimed.runId !== id);
      expect(claimed?.epoch).toBeGreaterThan(first.epoch);
      await expect(s.append(id, 2, [entered('b', 2)], { lease: first })).rejects.toBeInstanceOf(
        LeaseLostError,
      );
      await s.append(id, 2, [entered('c', 2)], { lease: claimed as Lease });
      expect((await s.getRun(id))?.headSeq).toBe(3);
    });

    it('renews and releases a live lease', async () => {
      const s = ctx.store();
      const id = ctx.newRunId();
      await seedRun(s, id, 0);
      const l = await s.acquireLease(id, { owner: 'A', ttlMs: 100, now: 0 });
      expect(l.headSeq).toBe(1);
      expect(l.runCreatedAt).toBe((await s.getRun(id))?.createdAt);
      const renewed = await s.renewLease(l, { ttlMs: 100, now: 90 });
      expect(renewed.expiresAtMs).toBe(190);
      await expect(s.acquireLease(id, { owner: 'B', ttlMs: 100, now: 150 })).rejects.toBeInstanceOf(
        RunBusyError,
      );
      await s.releaseLease(renewed);
      expect((await s.acquireLease(id, { owner: 'B', ttlMs: 100, now: 151 })).owner).toBe('B');
    });

    it('keeps leases and appends issued all at once apart: each refusal is its own', async () => {
      // Stores that commit many writes together (SQLite's write queue) must fail only the
      // refused lease, and later appends must see the lease each run really got.
      const s = ctx.store();
      const free = Array.from({ length: 6 }, () => ctx.newRunId('free'));
      const held = Array.from({ length: 6 }, () => ctx.newRunId('held'));
      for (const id of [...free, ...held]) await seedRun(s, id, 1);
      for (const id of held) await s.acquireLease(id, { owner: 'other', ttlMs: 10_000, now: 0 });
      const results = await Promise.allSettled([
        ...free.map((id) => s.acquireLease(id, { owner: 'me', ttlMs: 1000, now: 10 })),
        ...held.map((id) => s.acquireLease(id, { owner: 'me', ttlMs: 1000, now: 10 })),
        s.acquireLease(ctx.newRunId('missing'), { owner: 'me', ttlMs: 1000, now: 10 }),
      ]);
      const reasons = results.map((r) => (r.status === 'rejected' ? r.reason : undefined));
      expect(reasons.slice(0, 6)).toEqual(Array(6).fill(undefined));
      for (const r of reasons.slice(6, 12)) expect(r).toBeInstanceOf(RunBusyError);
      expect(reasons[12]).toBeInstanceOf(RunNotFoundError);
      const leases = results.slice(0, 6).map((r) => (r as PromiseFulfilledResult<Lease>).value);
      await Promise.all(leases.map((l) => s.append(l.runId, 2, [entered('mine', 2)], { lease: l })));
      await Promise.all(leases.map((l) => s.releaseLease(l)));
      for (const id of free) expect(await s.getRun(id)).toMatchObject({ headSeq: 3, leaseOwner: null });
      for (const id of held) expect(await s.getRun(id)).toMatchObject({ headSeq: 2, leaseOwner: 'other' });
    });

    it('frees the lease with the append that ends the run, and only then', async () => {
      const s = ctx.store();
      const done = ctx.newRunId('ends');
      await seedRun(s, done, 0);
      const a = await s.acquireLease(done, { owner: 'A', ttlMs: 10_000, now: 0 });
      await s.append(done, 1, [entered('a', 1)], { lease: a });
      expect(await s.getRun(done)).toMatchObject({ leaseOwner: 'A', leaseExpiresAtMs: 10_000 });
      const end = [ev('run.completed', { output: 'ok' })];
      await s.append(done, 2, end, { lease: a });
      expect(await s.getRun(done)).toMatchObject({
        status: 'completed',
        leaseOwner: null,
        leaseExpiresAtMs: null,
      });
      // Re-sent (its answer was lost): it is known as stored, though its lease went with it.
      expect(await s.append(done, 2, end, { lease: a })).toMatchObject({ duplicate: true, headSeq: 3 });
      // Anything new under that lease is fenced.
      await expect(s.append(done, 3, [entered('late', 1)], { lease: a })).rejects.toBeInstanceOf(
        LeaseLostError,
      );
      // Nobody may take the ended run again: an ended run never keeps an owner.
      await expect(s.acquireLease(done, { owner: 'B', ttlMs: 100, now: 1 })).rejects.toBeInstanceOf(
        RunEndedError,
      );

      // Cancelled by another process (no lease): the driver's lease goes too, and fences it.
      const cancelled = ctx.newRunId('cancelled');
      await seedRun(s, cancelled, 0);
      const driver = await s.acquireLease(cancelled, { owner: 'driver', ttlMs: 10_000, now: 0 });
      await s.append(cancelled, 1, [ev('run.cancelled', { by: 'ops' })]);
      expect(await s.getRun(cancelled)).toMatchObject({ status: 'cancelled', leaseOwner: null });
      await expect(s.append(cancelled, 2, [entered('late', 1)], { lease: driver })).rejects.toBeInstanceOf(
        LeaseLostError,
      );
    });

    it.each([
      ['completed', [ev('run.completed', { output: 'ok' })]],
      ['failed', [ev('run.failed', { error: { code: 'boom', message: 'boom' } })]],
      ['cancelled', [ev('run.cancelled', { by: 'ops' })]],
      [
        'expired',
        [
          ev('tool.requested', { callId: 'c', stepKey: '1:0', tool: 't', args: {}, argsHash: 'h' }),
          ev('approval.requested', { callId: 'c', tool: 't', argsHash: 'h', roles: [] }),
          ev('run.waiting', { reason: 'approval' }),
          ev('approval.expired', { callId: 'c', outcome: 'expire' }),
        ],
      ],
    ])('refuses a lease on a %s run, to anyone, and never claims it', async (status, end) => {
      const s = ctx.store();
      const id = ctx.newRunId(status);
      await seedRun(s, id, 0);
      await s.append(id, 1, end);
      expect(await s.getRun(id)).toMatchObject({ status, leaseOwner: null });
      for (const owner of ['A', 'A', 'B']) {
        const refused = await s.acquireLease(id, { owner, ttlMs: 100, now: 0 }).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(RunEndedError);
        expect((refused as RunEndedError).message).toContain(`has ended (${status})`);
      }
      const claimed = await s.claimNext({
        owner: 'C',
        ttlMs: 100,
        now: Date.UTC(2033, 0, 1),
        statuses: [status as RunStatus],
      });
      expect(claimed).toBeUndefined();
      expect(await s.getRun(id)).toMatchObject({ leaseOwner: null, leaseExpiresAtMs: null });
    });

    it('checks the lease of an empty append against the lease as it is now', async () => {
      const s = ctx.store();
      const id = ctx.newRunId('empty');
      await seedRun(s, id, 0); // the store may remember this row, taken before any lease
      const mine = await s.acquireLease(id, { owner: 'mine', ttlMs: 100, now: 0 });
      expect(await s.append(id, 1, [], { lease: mine })).toMatchObject({ headSeq: 1, events: [] });
      await s.acquireLease(id, { owner: 'other', ttlMs: 100, now: 200 });
      await expect(s.append(id, 1, [], { lease: mine })).rejects.toBeInstanceOf(LeaseLostError);
    });

    it('refuses a lease on a run that does not exist', async () => {
      await expect(
        ctx.store().acquireLease(ctx.newRunId(), { owner: 'A', ttlMs: 1, now: 0 }),
      ).rejects.toBeInstanceOf(RunNotFoundError);
    });
  });

  describe('claimNext', () => {
    it('hands each runnable run to exactly one of many concurrent claimers', async () => {
      const s = await ctx.factory.open();
      try {
        const ids = Array.from({ length: 6 }, () => ctx.newRunId('claim'));
        for (const id of ids) await s.append(id, 0, [started('claimer')]);
        // Far-future clock: only these runs are unleased-and-pending in the window below.
        const now = Date.UTC(2030, 0, 1);
        const claimed: string[] = [];
        const worker = async (owner: string) => {
          for (
            let c = await s.claimNext({ owner, ttlMs: 60_000, now });
            c;
            c = await s.claimNext({ owner, ttlMs: 60_000, now })
          )
            claimed.push(c.runId);
        };
        await Promise.all(Array.from({ length: 8 }, (_, i) => worker(`w${i}`)));
        const mine = claimed.filter((id) => ids.includes(id));
        expect(mine.sort()).toEqual([...ids].sort());
        expect(new Set(claimed).size).toBe(claimed.length);
        for (const id of ids) expect((await s.getRun(id))?.leaseOwner).toMatch(/^w\d+$/);
      } finally {
        await s.close();
      }
    });

    it('takes over a running run whose lease expired, and leaves finished runs alone', async () => {
      const s = ctx.store();
      const crashed = ctx.newRunId('crashed');
      const done = ctx.newRunId('done');
      await s.append(crashed, 0, [started('sweeper'), entered('a', 1)]);
      await s.append(done, 0, [started('sweeper'), entered('a', 1)]);
      await s.append(done, 2, [{ ...entered('b', 2), type: 'run.completed', data: { output: null } }]);
      const far = Date.UTC(2031, 0, 1);
      await s.acquireLease(crashed, { owner: 'dead', ttlMs: 10, now: far });
      const claimedEarly: string[] = [];
      for (
        let c = await s.claimNext({ owner: 'early', ttlMs: 10, now: far + 5 });
        c;
        c = await s.claimNext({ owner: 'early', ttlMs: 10, now: far + 5 })
      )
        claimedEarly.push(c.runId);
      expect(claimedEarly).not.toContain(crashed);
      const later: string[] = [];
      for (
        let c = await s.claimNext({ owner: 'sweeper', ttlMs: 10, now: far + 50 });
        c && !later.includes(c.runId);
        c = await s.claimNext({ owner: 'sweeper', ttlMs: 10, now: far + 50 })
      )
        later.push(c.runId);
      expect(later).toContain(crashed);
      expect(later).not.toContain(done);
    });

    it('claims only runs of the agents named in `agents`', async () => {
      const s = ctx.store();
      const suffix = ctx.newRunId('agents');
      const [mine, also, other] = ['mine', 'also', 'other'].map((a) => `${a}-${suffix}`) as [
        string,
        string,
        string,
      ];
      const runs = { [mine]: [] as string[], [also]: [] as string[], [other]: [] as string[] };
      for (const agent of [other, mine, other, also, mine, other]) {
        const id = ctx.newRunId('agents');
        await s.append(id, 0, [started(agent)]);
        runs[agent]?.push(id);
      }
      // Far-future clock, so only leases of this test's runs matter.
      const now = Date.UTC(2032, 0, 1);
      expect(await s.claimNext({ owner: 'w', ttlMs: 60_000, now, agents: [] })).toBeUndefined();
      expect(
        await s.claimNext({ owner: 'w', ttlMs: 60_000, now, agents: [`nobody-${suffix}`] }),
      ).toBeUndefined();
      const claimed: string[] = [];
      for (
        let c = await s.claimNext({ owner: 'w', ttlMs: 60_000, now, agents: [mine, also] });
        c;
        c = await s.claimNext({ owner: 'w', ttlMs: 60_000, now, agents: [mine, also] })
      )
        claimed.push(c.runId);
      expect(claimed.sort()).toEqual([...(runs[mine] ?? []), ...(runs[also] ?? [])].sort());
      for (const id of runs[other] ?? []) expect((await s.getRun(id))?.leaseOwner).toBeNull();
      const rest: string[] = [];
      for (
        let c = await s.claimNext({ owner: 'w2', ttlMs: 60_000, now, agents: [other] });
        c;
        c = await s.claimNext({ owner: 'w2', ttlMs: 60_000, now, agents: [other] })
      )
        rest.push(c.runId);
      expect(rest.sort()).toEqual([...(runs[other] ?? [])].sort());
    });
  });
}
