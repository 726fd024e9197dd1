import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@kestrion/testing';
import { packWorkspaces, publishableWorkspaces, REPO_ROOT, userEnvironment } from './packed-workspaces';

// A user's project outside the workspace: the packed tarballs installed with npm, plus pg (and
// not better-sqlite3: a PostgreSQL-only service), a decorated agent compiled with the installed
// kestrion-compile and tsc, then run -> approve -> resume, each in its own process, on a
// database of its own. One install per test run (~20 s here, from npm's cache).

const PACKED = [
  '@kestrion/core',
  '@kestrion/store',
  '@kestrion/agent',
  '@kestrion/compiler',
  '@kestrion/testing',
];
/** The workspace's own versions: npm's cache has them (--prefer-offline), and they are the ones tested. */
const FROM_REGISTRY = ['pg', 'typescript', '@types/node'].map(
  (name) =>
    `${name}@${(JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version}`,
);

interface StepOutput {
  id: string;
  status: string;
  pending: string[];
  output?: string;
}

describe('the packed packages, installed in a project outside the workspace', () => {
  let work: string;
  let project: string;
  let db: TestDatabase;
  const env = () => userEnvironment({ KESTRION_STORE: db.url, DEPLOY_LEDGER: join(project, 'deploys.log') });
  /** Runs a command in the project; a failure shows what the command printed. */
  const run = (file: string, args: string[]): string => {
    try {
      return execFileSync(file, args, {
        cwd: project,
        env: env(),
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`${[file, ...args].join(' ')} failed:\n${stderr ?? ''}${stdout ?? ''}`, {
        cause: error,
      });
    }
  };
  const step = (...args: string[]) =>
    JSON.parse(run(process.execPath, ['dist/cli.js', ...args])) as StepOutput;

  beforeAll(async () => {
    db = await createTestDatabase('kestrion_pack');
    work = mkdtempSync(join(tmpdir(), 'kestrion-pack-'));
    project = join(work, 'project');
    const workspaces = publishableWorkspaces().filter((w) => PACKED.includes(w.name));
    const tarballs = packWorkspaces(workspaces, join(work, 'tarballs'));
    cpSync(join(__dirname, 'fixtures', 'scratch'), project, { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
    run('npm', [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      ...tarballs.map((t) => t.file),
      ...FROM_REGISTRY,
    ]);
    run(join(project, 'node_modules', '.bin', 'kestrion-compile'), ['--project', 'tsconfig.json']);
    run(join(project, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json']);
  }, 150_000);

  afterAll(async () => {
    await db?.drop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('installs without better-sqlite3 and without the workspace', () => {
    expect(project.startsWith(REPO_ROOT)).toBe(false);
    expect(existsSync(join(project, 'node_modules', 'better-sqlite3'))).toBe(false);
    expect(existsSync(join(project, 'node_modules', 'kysely', 'package.json'))).toBe(true);
    expect(existsSync(join(project, 'node_modules', '@kestrion', 'store', 'dist', 'kysely.bundle.js'))).toBe(
      false,
    );
  });

  it('compiles the tool manifest with the installed kestrion-compile bin', () => {
    const manifest = readFileSync(join(project, 'kestrion.manifest.json'), 'utf8');
    expect(manifest).toContain('"deploy"');
    expect(manifest).toContain('The service to deploy.');
  });

  it('runs, approves and resumes in three processes on PostgreSQL, and the gated tool runs once', () => {
    const parked = step('run');
    expect(parked).toMatchObject({ status: 'waiting_on_human', pending: ['deploy'] });
    expect(existsSync(join(project, 'deploys.log'))).toBe(false);

    expect(step('approve', parked.id)).toMatchObject({ id: parked.id, pending: [] });
    const done = step('resume', parked.id);

    expect(done).toMatchObject({ id: parked.id, status: 'completed', output: 'Done: "deployed checkout"' });
    expect(readFileSync(join(project, 'deploys.log'), 'utf8')).toBe('checkout\n');
  });

  it('says how to install better-sqlite3 when a SQLite store is opened without it', () => {
    expect(JSON.parse(run(process.execPath, ['dist/cli.js', 'sqlite']))).toEqual({
      name: 'ConfigurationError',
      code: 'configuration',
      message: 'the SQLite store needs the better-sqlite3 package: npm install better-sqlite3',
    });
  });

  it('loads the test kit with only its own dependencies and pg', () => {
    const script =
      "const t = require('@kestrion/testing'); console.log(typeof t.ScriptedProvider, typeof t.createTestDatabase)";
    expect(run(process.execPath, ['-e', script]).trim()).toBe('function function');
  });

  it('exports plain values from every bundled entry: no getter to call on each use, one copy of each class', () => {
    // A dependent package calls `(0, core_1.fn)(...)` at every use: a getter there would run on
    // every call (see scripts/bundle-packages.mjs).
    const script = `
      const entries = ['@kestrion/core', '@kestrion/core/store-kit', '@kestrion/core/provider-kit', '@kestrion/store'];
      const out = {};
      for (const e of entries) {
        const m = require(e);
        const d = Object.getOwnPropertyDescriptors(m);
        out[e] = {
          names: Object.keys(m).length,
          getters: Object.keys(d).filter((k) => d[k].get),
          esModule: m.__esModule,
        };
      }
      const core = require('@kestrion/core');
      const kit = require('@kestrion/core/store-kit');
      const shared = Object.keys(kit).filter((k) => k in core);
      out.shared = { count: shared.length, differing: shared.filter((k) => core[k] !== kit[k]) };
      console.log(JSON.stringify(out));`;
    const out = JSON.parse(run(process.execPath, ['-e', script])) as Record<
      string,
      { names: number; getters: string[]; esModule: boolean }
    > & { shared: { count: number; differing: string[] } };
    for (const entry of [
      '@kestrion/core',
      '@kestrion/core/store-kit',
      '@kestrion/core/provider-kit',
      '@kestrion/store',
    ]) {
      const exported = out[entry];
      expect(exported?.names).toBeGreaterThan(5);
      expect({ entry, getters: exported?.getters }).toEqual({ entry, getters: [] });
      expect(exported?.esModule).toBe(true);
    }
    // Names two entries both export are one value (the entries re-export one shared bundle).
    expect(out.shared.count).toBeGreaterThan(0);
    expect(out.shared.differing).toEqual([]);
  });
});
