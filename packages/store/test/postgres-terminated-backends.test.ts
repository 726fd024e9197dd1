import { openStore } from '@kestrion/store';
import { createTestDatabase, runsUnderTerminations, type TestDatabase } from '@kestrion/testing';

// KESTRION_TORTURE=1: the full minute; otherwise a few seconds for CI.
const CHURN_MS = process.env.KESTRION_TORTURE === '1' ? 60_000 : 3_000;

describe('PostgreSQL: the process survives its database', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('kestrion_terminate');
  });
  afterAll(async () => {
    await db.drop();
  });

  it(
    `drives runs while every backend is terminated each 25 ms for ${CHURN_MS / 1000} s; all complete after`,
    async () => {
      const store = await openStore(db.url);
      try {
        const report = await runsUnderTerminations({ store, url: db.url, churnMs: CHURN_MS });
        process.stderr.write(`terminated backends: ${JSON.stringify(report, null, 1)}\n`);
        expect(report.unexpected).toEqual([]);
        expect(report.backendsTerminated).toBeGreaterThan(0);
        expect(report.runsStarted).toBeGreaterThan(0);
        expect(report.runsNotCompleted).toBe(0);
        expect(report.runsCompleted).toBeGreaterThanOrEqual(report.runsStarted);
      } finally {
        await store.close();
      }
    },
    CHURN_MS + 90_000,
  );
});
