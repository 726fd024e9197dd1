import fc from 'fast-check';
import { FOLD_VERSION, foldEvents, loadRunState, projectRunRecord } from '@kestrion/core';
import { type ContractContext, readAll } from './contract-context';
import { arbitraryRunLog } from './random-log';

export function propertyContract(ctx: ContractContext, numRuns: number): void {
  describe('snapshot + tail', () => {
    it('equals the full fold on random logs, and the runs row agrees with the fold', async () => {
      await fc.assert(
        fc.asyncProperty(
          arbitraryRunLog(),
          fc.nat(),
          fc.integer({ min: 1, max: 7 }),
          async (log, cut, chunk) => {
            const s = ctx.store();
            const id = ctx.newRunId('prop');
            for (let i = 0; i < log.length; i += chunk) await s.append(id, i, log.slice(i, i + chunk));
            const stored = await readAll(s, id);
            const k = 1 + (cut % stored.length);
            await s.saveSnapshot({
              runId: id,
              seq: k,
              foldVersion: FOLD_VERSION,
              state: foldEvents(undefined, stored.slice(0, k))!,
            });
            const full = foldEvents(undefined, stored)!;
            expect(await loadRunState(s, id)).toEqual(full);
            const row = await s.getRun(id);
            expect(row).toMatchObject({ status: full.status, headSeq: full.seq, agent: full.agent });
            expect(row?.waitingReason ?? undefined).toEqual(full.waitingReason);
            expect(projectRunRecord(undefined, stored).pendingApprovals).toBe(row?.pendingApprovals);
          },
        ),
        { numRuns },
      );
    });
  });
}
