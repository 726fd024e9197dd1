import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ConfigurationError } from '@kestrion/core';

const run = promisify(execFile);

interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  workspaces?: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** A workspace of a Kestrion checkout: its folder and package.json. */
export interface CheckoutPackage {
  dir: string;
  pkg: PackageJson;
}

/** A package packed into the project: `file:vendor/<file>`. */
export interface VendoredPackage {
  name: string;
  version: string;
  /** The tarball's file name in vendor/. */
  file: string;
}

/** `npm pack` failed in the checkout (a system failure, exit 1): its output says why. */
export class PackFailedError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'PackFailedError';
  }
}

const readJson = (file: string): PackageJson => JSON.parse(readFileSync(file, 'utf8')) as PackageJson;

/** The publishable workspaces of a Kestrion checkout, by package name; refuses a folder that is not one. */
export function checkoutPackages(checkout: string): Map<string, CheckoutPackage> {
  const root = resolve(checkout);
  const rootJson = join(root, 'package.json');
  const cli = join(root, 'packages', 'cli', 'package.json');
  if (!existsSync(rootJson) || !existsSync(cli) || readJson(cli).name !== 'kestrion')
    throw new ConfigurationError(
      `--local ${checkout} is not a Kestrion checkout (no packages/cli/package.json of the kestrion package under ${root}). Fix: pass the folder of a clone of the Kestrion repository`,
    );
  const found = new Map<string, CheckoutPackage>();
  for (const pattern of readJson(rootJson).workspaces ?? []) {
    const dirs = pattern.endsWith('/*')
      ? readdirSync(join(root, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => join(root, pattern.slice(0, -2), d.name))
      : [join(root, pattern)];
    for (const dir of dirs) {
      if (!existsSync(join(dir, 'package.json'))) continue;
      const pkg = readJson(join(dir, 'package.json'));
      if (!pkg.private) found.set(pkg.name, { dir, pkg });
    }
  }
  return found;
}

/**
 * The packages to pack for `wanted`: those and every Kestrion package they depend on (or take as
 * a peer), since npm would look for any of them on the registry, where they are not published yet.
 */
export function packageClosure(
  packages: Map<string, CheckoutPackage>,
  wanted: readonly string[],
): CheckoutPackage[] {
  const seen = new Map<string, CheckoutPackage>();
  const visit = (name: string) => {
    const p = packages.get(name);
    if (!p || seen.has(name)) return;
    seen.set(name, p);
    for (const dep of Object.keys({ ...p.pkg.dependencies, ...p.pkg.peerDependencies })) visit(dep);
  };
  for (const name of wanted) {
    if (!packages.has(name))
      throw new ConfigurationError(
        `the Kestrion checkout has no package ${name}. Fix: update the checkout (git pull)`,
      );
    visit(name);
  }
  return [...seen.values()].sort((a, b) => a.pkg.name.localeCompare(b.pkg.name));
}

/**
 * `npm pack`s the packages of a built checkout into `vendor` (one npm call). A package without
 * `dist/` is refused first: its tarball would install and then fail to load.
 */
export async function packInto(
  checkout: string,
  packages: CheckoutPackage[],
  vendor: string,
): Promise<VendoredPackage[]> {
  const unbuilt = packages.filter((p) => !existsSync(join(p.dir, 'dist')));
  if (unbuilt.length > 0)
    throw new ConfigurationError(
      `the Kestrion checkout is not built (${unbuilt.map((p) => p.pkg.name).join(', ')} without dist/). Fix: run \`npm run build\` in ${resolve(checkout)}`,
    );
  mkdirSync(vendor, { recursive: true });
  const args = ['pack', '--json', '--pack-destination', vendor, ...packages.flatMap((p) => ['-w', p.dir])];
  let stdout: string;
  try {
    ({ stdout } = await run('npm', args, { cwd: resolve(checkout), maxBuffer: 64 * 1024 * 1024 }));
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new PackFailedError(
      `npm pack in ${resolve(checkout)} failed: ${(stderr ?? String(error)).trim()}`,
      { cause: error },
    );
  }
  const packed = JSON.parse(stdout) as { name: string; version: string; filename: string }[];
  return packages.map((p) => {
    const entry = packed.find((x) => x.name === p.pkg.name);
    if (!entry) throw new PackFailedError(`npm pack did not report ${p.pkg.name}`);
    return { name: entry.name, version: entry.version, file: entry.filename };
  });
}
