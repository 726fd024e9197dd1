import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The published entry (the bundle in dist/), in a real process: a process that starts, approves
// and resumes runs on a current SQLite database must not load kysely (the published package,
// required from node_modules) at all, and requiring the store loads no database driver.
const bundle = resolve(__dirname, '..', 'dist', 'index.bundle.js');

const script = `
const core = require(${JSON.stringify(resolve(__dirname, '..', '..', 'core', 'dist', 'index.bundle.js'))});
const loaded = (pkg) => Object.keys(require.cache).some((k) => k.includes('/node_modules/' + pkg + '/'));
const { openStore } = require(${JSON.stringify(bundle)});
const driversAtRequire = ['better-sqlite3', 'pg'].filter(loaded);
const kyselyLoaded = () => loaded('kysely');
(async () => {
  const url = 'sqlite://' + process.argv[1];
  const graph = core.defineGraph({
    name: 'bundle', start: 'a',
    tools: [{ name: 'deploy', requiresApproval: true, invoke: () => 'ok' }],
    nodes: { a: async (ctx) => ({ next: core.END, output: (await ctx.callTool('deploy', {})).status }) },
  });
  const store = await openStore(url);
  const engine = new core.Engine({ store, graph });
  const parked = await engine.run(null);
  await engine.approve(parked.runId, { by: 'ops' });
  const done = await engine.resume(parked.runId);
  const before = kyselyLoaded();
  const listed = (await store.listRuns()).runs.length;
  const drivers = ['better-sqlite3', 'pg'].filter(loaded);
  console.log(JSON.stringify({ driversAtRequire, drivers, status: done.status, before, listed, after: kyselyLoaded() }));
  await store.close();
})();`;

interface ChildReport {
  driversAtRequire: string[];
  drivers: string[];
  status: string;
  before: boolean;
  listed: number;
  after: boolean;
}

function runChild(file: string): ChildReport {
  const out = execFileSync(process.execPath, ['-e', script, file], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop() as string);
}

describe('the store bundle', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'kestrion-bundle-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('drives runs on a current SQLite database without loading kysely, and loads it to list; pg never', () => {
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build\` first`);
    const file = join(dir, 'bundle.db');
    runChild(file); // the first process creates and migrates the file (kysely's Migrator)
    expect(runChild(file)).toEqual({
      driversAtRequire: [],
      drivers: ['better-sqlite3'],
      status: 'completed',
      before: false,
      listed: 2,
      after: true,
    });
  });
});
