// After `tsc -b`: bundles the runtime entry of the packages a process loads first (core, store)
// into one file each. Node then compiles one file instead of a few hundred (kysely alone is
// ~280 modules, ~60 ms of a cold start); dependencies with native code or optional use stay
// external. Types still come from tsc's dist/*.d.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const BUNDLED = ['packages/core', 'packages/store'];
// Loaded lazily or native: never inlined.
const ALWAYS_EXTERNAL = ['better-sqlite3', 'pg', '@kestrion/*'];
const KYSELY_ESM = join(process.cwd(), 'node_modules', 'kysely', 'dist', 'esm', 'index.js');

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
};

/**
 * The store's bundle requires kysely from a file of its own beside it: the SQLite store loads
 * kysely only when it builds a query (listing, claiming, migrating), so a process that starts,
 * approves and resumes runs never parses it (~5 ms of every start).
 */
const kyselyBesideBundle = {
  name: 'kysely-beside-bundle',
  setup(b) {
    b.onResolve({ filter: /^kysely$/ }, () => ({ path: './kysely.bundle.js', external: true }));
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
    const shared = `${pkg.name.split('/').pop()}.bundle.js`;
    await build({
      ...common,
      stdin: {
        contents: entries.map((e) => `export * from './${e}.js';`).join('\n'),
        resolveDir: join(dir, 'dist'),
        sourcefile: 'entries.js',
      },
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
  const usesKysely = Object.keys(pkg.dependencies ?? {}).includes('kysely');
  const external = [...ALWAYS_EXTERNAL, ...Object.keys(pkg.dependencies ?? {}).filter((d) => d !== 'kysely')];
  await build({
    ...common,
    entryPoints: [join(dir, 'dist', 'index.js')],
    outfile: join(dir, 'dist', 'index.bundle.js'),
    external,
    plugins: usesKysely ? [kyselyBesideBundle] : [],
  });
  // kysely's ESM build as one CommonJS file (its CJS build is ~280 files).
  if (usesKysely)
    await build({ ...common, entryPoints: [KYSELY_ESM], outfile: join(dir, 'dist', 'kysely.bundle.js') });
}
