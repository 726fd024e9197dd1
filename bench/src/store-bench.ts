import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createBenchDatabase } from './store/bench-database';
import { DEFAULT_SIZES } from './store/bench-sizes';
import { progress } from './store/bench-stats';
import type { Comparison } from './store/comparison';
import { postgresAppendComparisons, postgresReadComparison } from './store/postgres-suite';
import { sqliteAppendComparisons, sqliteReadComparison } from './store/sqlite-suite';
import { renderStoreReport } from './store/store-report';

const REPO = path.resolve(__dirname, '..', '..');

/**
 * Store bench: Kestrion's appends and reads against raw driver baselines measured in the same
 * run, on SQLite (temp files) and PostgreSQL (a fresh database on the test server, dropped
 * afterwards). Writes bench/results/store.md and returns it.
 */
export async function runStoreBench(): Promise<string> {
  const started = performance.now();
  const loadAtStart = os.loadavg()[0] ?? 0;
  const n = DEFAULT_SIZES;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kestrion-store-bench-'));
  const pg = await createBenchDatabase();
  try {
    const rows: Comparison[] = [];
    rows.push(...(await sqliteAppendComparisons(dir, 'FULL', n)));
    rows.push(...(await sqliteAppendComparisons(dir, 'NORMAL', n)));
    rows.push(...(await postgresAppendComparisons(pg.url, n)));
    rows.push(await sqliteReadComparison(dir, n));
    rows.push(await postgresReadComparison(pg.url, n));
    const report = renderStoreReport(rows, n, (performance.now() - started) / 1000, loadAtStart);
    const out = path.join(REPO, 'bench', 'results', 'store.md');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, report);
    progress(`wrote ${path.relative(REPO, out)}`);
    return report;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await pg.drop();
  }
}
