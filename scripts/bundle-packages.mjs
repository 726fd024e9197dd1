// After `tsc -b`: bundles the runtime entry of the packages a process loads first (core, store)
// into one file each: Node then compiles one file instead of a few dozen. The bundles are made
// from the TypeScript sources (ES modules), not from tsc's CommonJS output: esbuild then hoists
// every module into one scope, where from CommonJS it keeps each module in a wrapper with its
// own exports object of getters (core loads in ~21 ms from source against ~26 ms from
// CommonJS, the same code). Only the package's own code goes in; every dependency (kysely, the
// drivers, other @kestrion packages) stays external and is required from node_modules as
// published, so a user's `npm update kysely` applies.
// Types still come from tsc's dist/*.d.ts. The bundles' source maps point at src/*.ts, which
// every package ships (see docs/packaging.md).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const BUNDLED = ['packages/core', 'packages/store'];
// Loaded lazily or native: never inlined.
const ALWAYS_EXTERNAL = ['better-sqlite3', 'pg', '@kestrion/*'];

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'linked',
  // Whitespace only (names and syntax kept, so stack traces still read): V8 pre-parses the
  // whole file at require, and half the bytes is ~5 ms less of every cold start.
  // KESTRION_BUNDLE_READABLE=1 keeps them readable (line numbers in CPU profiles).
  minifyWhitespace: !process.env.KESTRION_BUNDLE_READABLE,
  logLevel: 'warning',
  // esbuild's CommonJS output exports every name through a getter (a live binding), and an
  // entry bundle re-exports the shared bundle's names through a second getter: every call a
  // dependent package makes (`(0, core_1.decideAppend)(...)`, compiled by tsc or esbuild) paid
  // two or three getter calls. Nothing a package exports is ever reassigned, so once the file
  // has run its exports are copied into plain data properties (packages/testing/test/packaging
  // checks that none is left a getter).
  footer: {
    js: 'module.exports=Object.defineProperty({...module.exports},"__esModule",{value:true});',
  },
};

/**
 * A package with subpath entries (core: `.`, `./store-kit`, `./provider-kit`) is bundled once:
 * every entry's names go into one `<name>.bundle.js` beside a tiny `<entry>.bundle.js` per entry
 * that re-exports its own names from it. One copy of each module, so a class (an error thrown
 * by store-kit code, caught by an application with `instanceof`) is the same from every entry.
 */
const ENTRIES = { 'packages/core': ['index', 'store-kit', 'provider-kit'] };

/** Every relative import of an entry file goes to the shared bundle. */
const toSharedBundle = (shared) => ({
  name: 'entry-to-shared-bundle',
  setup(b) {
    b.onResolve({ filter: /^\./ }, (args) =>
      args.kind === 'entry-point' ? undefined : { path: `./${shared}`, external: true },
    );
  },
});

for (const dir of BUNDLED) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const entries = ENTRIES[dir];
  if (entries) {
    const base = pkg.name.split('/').pop();
    const shared = `${base}.bundle.js`;
    // A real file, not esbuild's stdin: the bundle's map names it as a source, and every source
    // a shipped map names must be in the tarball (packages/testing/test/packaging).
    const entriesFile = join(dir, 'dist', `${base}.entries.js`);
    writeFileSync(entriesFile, entries.map((e) => `export * from '../src/${e}';\n`).join(''));
    await build({
      ...common,
      entryPoints: [entriesFile],
      outfile: join(dir, 'dist', shared),
      external: ALWAYS_EXTERNAL,
    });
    for (const entry of entries)
      await build({
        ...common,
        sourcemap: false,
        entryPoints: [join(dir, 'dist', `${entry}.js`)],
        outfile: join(dir, 'dist', `${entry}.bundle.js`),
        plugins: [toSharedBundle(shared)],
      });
    continue;
  }
  const external = [
    ...ALWAYS_EXTERNAL,
    ...Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies }),
  ];
  await build({
    ...common,
    entryPoints: [join(dir, 'src', 'index.ts')],
    outfile: join(dir, 'dist', 'index.bundle.js'),
    external,
  });
  // Earlier builds vendored kysely here; a stale copy in a developer's dist/ must not be packed.
  for (const stale of ['kysely.bundle.js', 'kysely.bundle.js.map'])
    rmSync(join(dir, 'dist', stale), { force: true });
}
