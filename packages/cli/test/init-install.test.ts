import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The bar, as a user types it: `kestrion init demo --local <checkout>` with the built bin, then in
// demo/ `npm install`, `npm test`, `npm run build`, and `npx kestrion run src/agent.ts "..."` (exit 3),
// `approve`, `resume` (exit 0) and `trace --json`, each its own process on the default SQLite
// store. One install per test run, from npm's cache (--prefer-offline); better-sqlite3 compiles
// from source here (no prebuilt binary can be downloaded), which is most of its time.

const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const BIN = join(REPO_ROOT, 'packages', 'cli', 'bin', 'kestrion.js');

/** A user's shell: none of this test run's npm_* settings leak into the project's npm. */
function userEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^npm_/i.test(k) && !['KESTRION_STORE', 'ANTHROPIC_API_KEY', 'OPENAI_API_KEY'].includes(k))
      env[k] = v;
  // node-gyp builds better-sqlite3 on every core
  return { ...env, JOBS: 'max' };
}

interface Step {
  code: number;
  stdout: string;
  stderr: string;
}

describe('a project made by kestrion init --local, installed outside the workspace', () => {
  const work = mkdtempSync(join(tmpdir(), 'kestrion-init-install-'));
  const demo = join(work, 'demo');
  const timings: Record<string, number> = {};
  const run = (label: string, cwd: string, file: string, args: string[]): Step => {
    const started = Date.now();
    const r = spawnSync(file, args, {
      cwd,
      env: userEnvironment(),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    timings[label] = Date.now() - started;
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  /** A step that must exit `code`; otherwise the test fails with what it printed. */
  const expectStep = (label: string, step: Step, code = 0): Step => {
    if (step.code !== code)
      throw new Error(`${label} exited ${step.code}, expected ${code}:\n${step.stderr}\n${step.stdout}`);
    return step;
  };
  const kestrion = (label: string, args: string[], code = 0) =>
    expectStep(label, run(label, demo, 'npx', ['--no-install', 'kestrion', ...args]), code);

  beforeAll(() => {
    if (!existsSync(join(REPO_ROOT, 'packages', 'cli', 'dist', 'cli.js')))
      throw new Error('packages/cli is not built: run `npm run build` at the repository root first');
    expectStep('init', run('init', work, process.execPath, [BIN, 'init', 'demo', '--local', REPO_ROOT]));
    // better-sqlite3 compiles from source here (no prebuilt binary can be downloaded): minutes of
    // a CI run spent on npm's and node-gyp's job, which the repository's own `npm ci` proves.
    // So CI installs without install scripts and gives the project the addon this checkout
    // compiled — only when both are the same version (else it is rebuilt as a user's install
    // would). KESTRION_FULL_INSTALL=1 runs the user's install exactly, compile included.
    const full = process.env.KESTRION_FULL_INSTALL === '1';
    expectStep(
      'npm install',
      run('npm install', demo, 'npm', [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        ...(full ? [] : ['--ignore-scripts']),
      ]),
    );
    if (!full) reuseCompiledAddon();
  }, 420_000);

  /** Copies this checkout's compiled better-sqlite3 addon into the project when versions match. */
  function reuseCompiledAddon(): void {
    const versionOf = (dir: string) =>
      (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    const ours = join(REPO_ROOT, 'node_modules', 'better-sqlite3');
    const theirs = join(demo, 'node_modules', 'better-sqlite3');
    const addon = join('build', 'Release', 'better_sqlite3.node');
    if (versionOf(ours) === versionOf(theirs) && existsSync(join(ours, addon))) {
      mkdirSync(join(theirs, 'build', 'Release'), { recursive: true });
      copyFileSync(join(ours, addon), join(theirs, addon));
      timings['addon reused'] = 0;
    } else expectStep('npm rebuild', run('npm rebuild', demo, 'npm', ['rebuild', 'better-sqlite3']));
  }

  afterAll(() => {
    process.stderr.write(
      `kestrion init --local timings (ms): ${Object.entries(timings)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}\n`,
    );
    rmSync(work, { recursive: true, force: true });
  });

  it('installs the packed tarballs from vendor/, with nothing of the workspace', () => {
    expect(demo.startsWith(REPO_ROOT)).toBe(false);
    const lock = readFileSync(join(demo, 'package-lock.json'), 'utf8');
    expect(lock).toContain('file:vendor/kestrion-0.1.0.tgz');
    expect(existsSync(join(demo, 'node_modules', '.bin', 'kestrion'))).toBe(true);
    expect(
      existsSync(join(demo, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')),
    ).toBe(true);
  });

  it('passes its own test: kestrion compile, tsc, then jest driving run -> approve -> resume', () => {
    const test = expectStep('npm test', run('npm test', demo, 'npm', ['test']));
    expect(`${test.stdout}${test.stderr}`).toMatch(/Tests:\s+1 passed, 1 total/);
    const manifest = JSON.parse(readFileSync(join(demo, 'kestrion.manifest.json'), 'utf8')) as {
      tools: Record<string, unknown>;
    };
    expect(Object.keys(manifest.tools).sort()).toEqual(['ops.listServices', 'ops.restartService']);
  }, 180_000);

  it('builds dist/agent.js, the module a worker image runs', () => {
    expectStep('npm run build', run('npm run build', demo, 'npm', ['run', 'build']));
    expect(existsSync(join(demo, 'dist', 'agent.js'))).toBe(true);
  }, 180_000);

  it('runs (exit 3), approves, resumes (exit 0) and traces the run with the installed kestrion command', () => {
    const parked = kestrion(
      'run',
      ['run', 'src/agent.ts', 'Restart checkout: health checks fail', '--json'],
      3,
    );
    const view = JSON.parse(parked.stdout) as { id: string; status: string; pending: { tool: string }[] };
    expect(view.status).toBe('waiting_on_human');
    expect(view.pending.map((p) => p.tool)).toEqual(['restartService']);
    expect(existsSync(join(demo, 'kestrion.db'))).toBe(true);

    kestrion('approve', ['approve', view.id, '--agent', 'src/agent.ts', '--as', 'alice']);
    const done = kestrion('resume', ['resume', view.id, '--agent', 'src/agent.ts', '--json']);
    expect(JSON.parse(done.stdout)).toMatchObject({ id: view.id, status: 'completed' });
    expect(done.stdout).toContain('restarted checkout');

    const trace = JSON.parse(kestrion('trace', ['trace', view.id, '--json']).stdout) as {
      status: string;
      spans: { kind: string; tool?: string }[];
    };
    expect(trace.status).toBe('completed');
    const tools = trace.spans.filter((s) => s.kind === 'tool').map((s) => s.tool);
    expect(tools).toEqual(['listServices', 'restartService']);
  }, 120_000);

  it('writes deploy manifests from the project with the installed command, copying vendor/ into the image', () => {
    kestrion('deploy', ['deploy', '--target', 'k8s', '--image', 'registry.example.com/demo:0.1.0']);
    const dockerfile = readFileSync(join(demo, 'k8s', 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('COPY vendor/ ./vendor/');
    expect(readFileSync(join(demo, 'k8s', '20-worker-deployment.yaml'), 'utf8')).toContain('dist/agent.js');
  }, 60_000);
});
