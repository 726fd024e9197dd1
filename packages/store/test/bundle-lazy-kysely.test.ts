import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The published entry (the bundle in dist/), in a real process: a process that starts, approves
// and resumes runs on a current SQLite database must not load kysely's file at all.
const bundle = resolve(__dirname, '..', 'dist', 'index.bundle.js');

const script = `
const core = require(${JSON.stringify(resolve(__dirname, '..', '..', 'core', 'dist', 'index.bundle.js'))});
const { openStore } = require(${JSON.stringify(bundle)});
const kyselyLoaded = () => Object.keys(require.cache).some((k) => k.endsWith('kysely.bundle.js'));
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
  console.log(JSON.stringify({ status: done.status, before, listed, after: kyselyLoaded() }));
  await store.close();
})();`;

function runChild(file: string): { status: string; before: boolean; listed: number; after: boolean } {
  const out = execFileSync(process.execPath, ['-e', script, file], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop() as string);
}

describe('the store bundle', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'kestrion-bundle-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('drives runs on a current SQLite database without loading kysely, and loads it to list', () => {
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build\` first`);
    const file = join(dir, 'bundle.db');
    runChild(file); // the first process creates and migrates the file (kysely's Migrator)
    expect(runChild(file)).toEqual({ status: 'completed', before: false, listed: 2, after: true });
  });
});
