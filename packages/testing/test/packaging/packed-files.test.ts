import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import {
  extractTarball,
  type PackedTarball,
  packWorkspaces,
  publishableWorkspaces,
  REPO_ROOT,
} from './packed-workspaces';

// What each published tarball holds, read from `npm pack` of the built workspace: a license, a
// README, every entry point it declares, and source maps that resolve inside the tarball (the
// packages ship src/ for that; see docs/packaging.md).

interface Unpacked extends PackedTarball {
  root: string;
  has(path: string): boolean;
  read(path: string): string;
}

interface Manifest {
  license?: string;
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  exports?: Record<string, string | Record<string, string>>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const MAP_COMMENT = /^\/\/# sourceMappingURL=(\S+)\s*$/gm;

/** Where a relative reference from `from` (a path in the tarball) lands, or undefined if outside it. */
function resolveIn(from: string, ref: string): string | undefined {
  const target = posix.normalize(posix.join(posix.dirname(from), ref));
  return target.startsWith('../') ? undefined : target;
}

/** Every entry point package.json names: main, types, bin and each exports condition. */
function declaredEntries(pkg: Manifest): string[] {
  const exportTargets = Object.values(pkg.exports ?? {}).flatMap((t) =>
    typeof t === 'string' ? [t] : Object.values(t),
  );
  return [pkg.main, pkg.types, ...Object.values(pkg.bin ?? {}), ...exportTargets]
    .filter((p): p is string => typeof p === 'string')
    .map((p) => posix.normalize(p));
}

describe('the published tarballs', () => {
  let scratch: string;
  let tarballs: Unpacked[];

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'kestrion-packed-files-'));
    tarballs = packWorkspaces(publishableWorkspaces(), join(scratch, 'tarballs')).map((t) => {
      const root = extractTarball(t, join(scratch, t.dir));
      const files = new Set(t.files);
      return { ...t, root, has: (p) => files.has(p), read: (p) => readFileSync(join(root, p), 'utf8') };
    });
  }, 60_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('packs every workspace that is not private, the compiler and the core among them', () => {
    expect(tarballs.map((t) => t.name)).toEqual(
      expect.arrayContaining(['@kestrion/core', '@kestrion/store', '@kestrion/agent', '@kestrion/compiler']),
    );
  });

  it('ships the Apache-2.0 LICENSE (the repository root one) and a README in each', () => {
    const license = readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8');
    expect(license).toContain('Apache License');
    expect(license).toContain('Version 2.0, January 2004');
    for (const t of tarballs) {
      expect({ name: t.name, license: (JSON.parse(t.read('package.json')) as Manifest).license }).toEqual({
        name: t.name,
        license: 'Apache-2.0',
      });
      expect({ name: t.name, LICENSE: t.has('LICENSE') && t.read('LICENSE') === license }).toEqual({
        name: t.name,
        LICENSE: true,
      });
      expect({ name: t.name, README: t.has('README.md') && t.read('README.md').includes(t.name) }).toEqual({
        name: t.name,
        README: true,
      });
    }
  });

  it('holds every entry point its package.json declares', () => {
    const missing = tarballs.flatMap((t) =>
      declaredEntries(JSON.parse(t.read('package.json')) as Manifest)
        .filter((p) => !t.has(p))
        .map((p) => `${t.name}: ${p}`),
    );
    expect(missing).toEqual([]);
  });

  it('resolves every sourceMappingURL of a shipped file to a shipped file', () => {
    const broken: string[] = [];
    let comments = 0;
    for (const t of tarballs)
      for (const file of t.files.filter((f) => /\.(c|m)?js$|\.d\.ts$/.test(f)))
        for (const [, url = ''] of t.read(file).matchAll(MAP_COMMENT)) {
          comments += 1;
          if (url.startsWith('data:')) continue; // inline: its sources are checked below, with the files
          const target = resolveIn(file, url);
          if (!target || !t.has(target)) broken.push(`${t.name}: ${file} -> ${url}`);
        }
    expect(comments).toBeGreaterThan(0); // the maps are shipped, not switched off
    expect(broken).toEqual([]);
  });

  it('finds every source a shipped .map names inside the tarball', () => {
    const broken: string[] = [];
    for (const t of tarballs)
      for (const file of t.files.filter((f) => f.endsWith('.map'))) {
        const map = JSON.parse(t.read(file)) as { sources: string[]; sourceRoot?: string };
        for (const source of map.sources) {
          const target = resolveIn(file, posix.join(map.sourceRoot ?? '', source));
          if (!target || !t.has(target)) broken.push(`${t.name}: ${file} -> ${source}`);
        }
      }
    expect(broken).toEqual([]);
  });

  it('ships no vendored kysely in the store: kysely is a dependency, the drivers optional peers', () => {
    const store = tarballs.find((t) => t.name === '@kestrion/store');
    if (!store) throw new Error('@kestrion/store was not packed');
    expect(store.files.filter((f) => f.includes('kysely.bundle') || f.includes('node_modules/'))).toEqual([]);
    // The bundle requires kysely from where npm installs it, and holds only the store's own code.
    expect(store.read('dist/index.bundle.js')).toContain('require("kysely")');
    const map = JSON.parse(store.read('dist/index.bundle.js.map')) as { sources: string[] };
    expect(map.sources.filter((s) => !s.startsWith('../src/'))).toEqual([]);
    const pkg = JSON.parse(store.read('package.json')) as Manifest;
    expect(Object.keys(pkg.dependencies ?? {}).sort()).toEqual(['@kestrion/core', 'kysely']);
    expect(pkg.peerDependencies).toEqual({ 'better-sqlite3': expect.any(String), pg: expect.any(String) });
    expect(pkg.peerDependenciesMeta).toEqual({
      'better-sqlite3': { optional: true },
      pg: { optional: true },
    });
  });
});
