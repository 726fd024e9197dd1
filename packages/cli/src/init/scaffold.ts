import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '@kestrion/core';
import { checkoutPackages, packageClosure, packInto, type VendoredPackage } from './pack-local';
import { AGENT_TEST_TS, AGENT_TS, MODEL_TS } from './templates/agent-source';
import {
  GITIGNORE,
  JEST_CONFIG_JS,
  KESTRION_DEPENDENCIES,
  packageJson,
  readme,
  SCAFFOLD_VERSIONS,
  TSCONFIG_BUILD_JSON,
  TSCONFIG_JSON,
} from './templates/project-files';

export interface ScaffoldOptions {
  /** The project folder; created if missing. */
  dir: string;
  /** A Kestrion checkout whose packages are packed into vendor/ instead of coming from the registry. */
  local?: string;
  /** Write into a folder that is not empty (files of the same name are replaced). */
  force?: boolean;
  /** Told each step, for progress output. */
  progress?: (line: string) => void;
}

export interface ScaffoldResult {
  dir: string;
  name: string;
  /** Paths written, relative to `dir`. */
  files: string[];
  vendored: VendoredPackage[];
}

/** The module the CLI commands load, relative to the project. */
export const AGENT_MODULE = 'src/agent.ts';

/**
 * Writes a Kestrion project into `dir`: package.json (kestrion compile in build and test), the
 * tsconfigs, an agent module with a gated tool that default-exports its `Agent`, the model choice
 * (scripted without an API key), a jest test of run -> approve -> resume. With `local`, the
 * Kestrion packages are packed from that checkout into vendor/ and referenced as `file:` tarballs.
 * Refuses a folder that holds anything unless `force`.
 */
export async function scaffold(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const dir = resolve(options.dir);
  const say = options.progress ?? (() => undefined);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory())
      throw new UsageError(`${options.dir} exists and is not a folder. Fix: pick another name`);
    const entries = readdirSync(dir);
    if (entries.length > 0 && !options.force)
      throw new UsageError(
        `${options.dir} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}). ` +
          'Fix: pick a new or empty folder, or pass --force to write into it (files of the same name are replaced)',
      );
  }
  const name = packageName(basename(dir));
  // Check the checkout before writing anything, so a wrong --local leaves no half project.
  const local = options.local === undefined ? undefined : checkoutPackages(options.local);
  mkdirSync(dir, { recursive: true });
  say(`Creating ${name} in ${dir}`);

  let vendored: VendoredPackage[] = [];
  let kestrionDeps: Record<string, string>;
  if (local && options.local !== undefined) {
    const packages = packageClosure(local, KESTRION_DEPENDENCIES);
    say(`Packing ${packages.length} packages from ${resolve(options.local)} into vendor/ (npm pack)…`);
    vendored = await packInto(options.local, packages, join(dir, 'vendor'));
    for (const v of vendored) say(`  vendor/${v.file}`);
    // Every packed package is a direct dependency, so npm installs the tarball wherever one is
    // needed instead of asking the registry for it.
    kestrionDeps = Object.fromEntries(vendored.map((v) => [v.name, `file:vendor/${v.file}`]));
  } else {
    kestrionDeps = Object.fromEntries(KESTRION_DEPENDENCIES.map((n) => [n, SCAFFOLD_VERSIONS.kestrion]));
  }

  const files: Record<string, string> = {
    'package.json': packageJson(name, kestrionDeps),
    'tsconfig.json': TSCONFIG_JSON,
    'tsconfig.build.json': TSCONFIG_BUILD_JSON,
    'jest.config.js': JEST_CONFIG_JS,
    '.gitignore': GITIGNORE,
    'README.md': readme(name, local !== undefined),
    [AGENT_MODULE]: AGENT_TS,
    'src/model.ts': MODEL_TS,
    'test/agent.test.ts': AGENT_TEST_TS,
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
    say(`  ${file}`);
  }
  return { dir, name, files: [...Object.keys(files), ...vendored.map((v) => `vendor/${v.file}`)], vendored };
}

/** A folder name as an npm package name: lower case, URL-safe, not starting with . or _. */
export function packageName(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, '-')
    .replace(/^[._-]+/, '')
    .slice(0, 214);
  return name === '' ? 'kestrion-agent' : name;
}
