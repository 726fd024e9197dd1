import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// What `npm publish` would upload, made with `npm pack` from the built workspace: the packaging
// tests inspect and install these tarballs, never the workspace's own folders.

export const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');

export interface Workspace {
  /** Folder relative to the repository root (`packages/core`). */
  dir: string;
  name: string;
}

export interface PackedTarball extends Workspace {
  /** Absolute path of the .tgz. */
  file: string;
  /** Every path in the tarball, relative to the package root (`dist/index.js`). */
  files: string[];
}

interface PackageJson {
  name: string;
  private?: boolean;
  workspaces?: string[];
}

function readPackageJson(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(REPO_ROOT, dir, 'package.json'), 'utf8')) as PackageJson;
}

/** Every workspace that is not private: what would be published. */
export function publishableWorkspaces(): Workspace[] {
  const patterns = readPackageJson('.').workspaces ?? [];
  const dirs = patterns.flatMap((p) =>
    p.endsWith('/*')
      ? readdirSync(join(REPO_ROOT, p.slice(0, -2)), { withFileTypes: true })
          .filter(
            (d) => d.isDirectory() && existsSync(join(REPO_ROOT, p.slice(0, -2), d.name, 'package.json')),
          )
          .map((d) => `${p.slice(0, -2)}/${d.name}`)
      : [p],
  );
  return dirs
    .map((dir) => ({ dir, pkg: readPackageJson(dir) }))
    .filter(({ pkg }) => !pkg.private)
    .map(({ dir, pkg }) => ({ dir, name: pkg.name }));
}

/** Fails with the fix when a workspace has no dist/ (the tarballs would be empty shells). */
export function assertBuilt(workspaces: Workspace[]): void {
  const unbuilt = workspaces.filter((w) => !existsSync(join(REPO_ROOT, w.dir, 'dist')));
  if (unbuilt.length > 0)
    throw new Error(
      `${unbuilt.map((w) => w.dir).join(', ')} not built (no dist/): run \`npm run build\` at the repository root first`,
    );
}

/** `npm pack`s the workspaces (one npm call) into `destination`. */
export function packWorkspaces(workspaces: Workspace[], destination: string): PackedTarball[] {
  assertBuilt(workspaces);
  mkdirSync(destination, { recursive: true });
  const out = execFileSync(
    'npm',
    ['pack', '--json', '--pack-destination', destination, ...workspaces.flatMap((w) => ['-w', w.dir])],
    { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const packed = JSON.parse(out) as Array<{ name: string; filename: string; files: Array<{ path: string }> }>;
  return workspaces.map((w) => {
    const p = packed.find((x) => x.name === w.name);
    if (!p) throw new Error(`npm pack did not report ${w.name}`);
    return { ...w, file: join(destination, p.filename), files: p.files.map((f) => f.path) };
  });
}

/** Unpacks a tarball into `into` and returns the package root (`<into>/package`). */
export function extractTarball(tarball: PackedTarball, into: string): string {
  mkdirSync(into, { recursive: true });
  execFileSync('tar', ['-xzf', tarball.file, '-C', into]);
  return join(into, 'package');
}

/** The environment of a user's shell: none of the `npm test` run's own npm_* settings leak in. */
export function userEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}
