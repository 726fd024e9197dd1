import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import type { CliState } from '../src/command-context';
import { registerInitCommand } from '../src/commands/init';
import { checkoutPackages, packageClosure } from '../src/init/pack-local';
import { packageName } from '../src/init/scaffold';

// `kestrion init` without installing: what it writes, what it refuses. The install, build and
// test of a scaffold are init-install.test.ts.

const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const work = mkdtempSync(join(tmpdir(), 'kestrion-init-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function init(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const state: CliState = {
    io: {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: {},
    },
    exitCode: 0,
  };
  const program = new Command('kestrion').exitOverride();
  registerInitCommand(program, state);
  await program.parseAsync(['init', ...args], { from: 'user' });
  return { code: state.exitCode, stdout, stderr };
}

interface PackageJson {
  name: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as PackageJson;

describe('kestrion init', () => {
  it('writes a project whose build and test run kestrion compile, with an agent module and its test', async () => {
    const dir = join(work, 'My Agent');
    const r = await init([dir]);
    expect(r.code).toBe(0);
    const pkg = readJson(join(dir, 'package.json'));
    expect(pkg.name).toBe('my-agent');
    expect(pkg.scripts.build).toMatch(/^kestrion compile && tsc /);
    expect(pkg.scripts.test).toMatch(/^kestrion compile && .*jest$/);
    expect(pkg.dependencies).toMatchObject({
      kestrion: '^0.1.0',
      '@kestrion/agent': '^0.1.0',
      '@kestrion/core': '^0.1.0',
      'better-sqlite3': expect.any(String),
    });
    expect(pkg.devDependencies).toMatchObject({ jest: expect.any(String), 'ts-jest': expect.any(String) });
    const agent = readFileSync(join(dir, 'src', 'agent.ts'), 'utf8');
    expect(agent).toContain('@tool({ requiresApproval: true })');
    expect(agent).toContain('export default createAgent()');
    expect(readFileSync(join(dir, 'src', 'model.ts'), 'utf8')).toContain('ScriptedProvider');
    expect(readFileSync(join(dir, 'test', 'agent.test.ts'), 'utf8')).toMatch(
      /run\([\s\S]*approve\([\s\S]*resume\(/,
    );
    expect(existsSync(join(dir, 'vendor'))).toBe(false);
    expect(r.stderr).toContain('src/agent.ts');
    expect(r.stdout).toContain('npm install');
  });

  it('refuses a folder that is not empty, names --force, and writes nothing', async () => {
    const dir = join(work, 'taken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const r = await init([dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not empty (notes.txt)');
    expect(r.stderr).toContain('--force');
    expect(existsSync(join(dir, 'package.json'))).toBe(false);
    const forced = await init([dir, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(dir, 'src', 'agent.ts'))).toBe(true);
  });

  it('refuses a --local folder that is not a Kestrion checkout before writing anything', async () => {
    const dir = join(work, 'not-created');
    const r = await init([dir, '--local', work]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a Kestrion checkout');
    expect(existsSync(dir)).toBe(false);
  });

  it('packs the CLI and every Kestrion package it pulls in, and no other', () => {
    const names = packageClosure(checkoutPackages(REPO_ROOT), ['kestrion', '@kestrion/agent']).map(
      (p) => p.pkg.name,
    );
    expect(names).toEqual(
      expect.arrayContaining(['kestrion', '@kestrion/agent', '@kestrion/core', '@kestrion/store']),
    );
    expect(names).toContain('@kestrion/compiler'); // kestrion compile
    expect(names).toContain('@kestrion/scheduler'); // kestrion worker
    expect(names).not.toContain('@kestrion/testing');
  });

  it('turns a folder name into an npm package name', () => {
    expect(packageName('Demo')).toBe('demo');
    expect(packageName('.hidden agent')).toBe('hidden-agent');
    expect(packageName('___')).toBe('kestrion-agent');
  });
});
