import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as esbuild from 'esbuild';
import { formatDiagnostic, ManifestCompiler } from '@kestrion/compiler';

// A decorated agent bundled and minified as users ship it (esbuild --bundle --minify, with and
// without --keep-names, both decorator modes), run in a child node process with a scripted
// model. Before the manifest carried parameter order and agent ids, such a bundle could not
// start: parameters were read from the minified source and tools keyed by the class name.

const FIXTURE = path.join(__dirname, 'fixtures', 'bundle');
const PACKAGES = path.resolve(__dirname, '..', '..');

let work: string;
let manifestFile: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ka-bundle-'));
  const result = ManifestCompiler.fromTsConfig(path.join(FIXTURE, 'tsconfig.json')).compile();
  expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
  manifestFile = path.join(work, 'kestrion.manifest.json');
  fs.writeFileSync(manifestFile, JSON.stringify(result.manifest));
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

/** `@kestrion/*` from this repo's sources, and `./kestrion.manifest.json` from the freshly compiled file. */
const resolveLocal: esbuild.Plugin = {
  name: 'kestrion-sources',
  setup(build) {
    const sources: Record<string, string> = {
      '@kestrion/agent': path.join(PACKAGES, 'agent', 'src', 'index.ts'),
      '@kestrion/core': path.join(PACKAGES, 'core', 'src', 'index.ts'),
      '@kestrion/core/provider-kit': path.join(PACKAGES, 'core', 'src', 'provider-kit.ts'),
    };
    build.onResolve({ filter: /^@kestrion\// }, (args) => {
      const file = sources[args.path];
      return file === undefined ? undefined : { path: file };
    });
    build.onResolve({ filter: /kestrion\.manifest\.json$/ }, () => ({ path: manifestFile }));
  },
};

interface Bundle {
  minify: boolean;
  keepNames: boolean;
  decorators: 'standard' | 'legacy';
  sourcemap?: boolean;
}

async function bundle(options: Bundle): Promise<string> {
  const name = `${options.decorators}-${options.minify ? 'min' : 'plain'}-${options.keepNames ? 'keep' : 'mangle'}${options.sourcemap ? '-map' : ''}`;
  const outfile = path.join(work, `${name}.js`);
  await esbuild.build({
    entryPoints: [path.join(FIXTURE, 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: options.minify,
    keepNames: options.keepNames,
    sourcemap: options.sourcemap ? 'inline' : false,
    logLevel: 'silent',
    plugins: [resolveLocal],
    tsconfigRaw: {
      compilerOptions: { experimentalDecorators: options.decorators === 'legacy', strict: true },
    },
  });
  return outfile;
}

interface ChildResult {
  className?: string;
  agent?: string;
  status?: string;
  lastMessage?: string;
  reason?: string;
  message?: string;
}

function runBundle(
  file: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; nodeArgs?: string[] } = {},
): Promise<ChildResult> {
  const env = { ...process.env, ...options.env };
  if (options.env?.KESTRION_MANIFEST === undefined) delete env.KESTRION_MANIFEST;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...(options.nodeArgs ?? []), file, ...args],
      { cwd: options.cwd ?? fs.mkdtempSync(path.join(work, 'cwd-')), env, timeout: 30_000 },
      (error, stdout, stderr) => {
        const last = stdout.trim().split('\n').at(-1) ?? '';
        try {
          resolve(JSON.parse(last) as ChildResult);
        } catch {
          reject(new Error(`the bundle printed no result (${String(error)}):\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

const REFUNDED = 'tool said: "refunded 250 on o-7 (damaged) in ';

describe.each([
  { decorators: 'standard', keepNames: false },
  { decorators: 'standard', keepNames: true },
  { decorators: 'legacy', keepNames: false },
  { decorators: 'legacy', keepNames: true },
] as const)('an esbuild --bundle --minify bundle ($decorators decorators, keepNames: $keepNames)', (mode) => {
  let file: string;
  // esbuild's lowering of standard decorators hands the class name to the decorator context,
  // which keeps it; legacy decorators without --keep-names lose it.
  const renamesClasses = mode.decorators === 'legacy' && !mode.keepNames;
  beforeAll(async () => {
    file = await bundle({ ...mode, minify: true });
  });

  it('was minified: parameter names are gone, and class names unless kept', () => {
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toMatch(/async refund\(\w{1,2},\w{1,2},\w{1,2},\w{1,2}\)/);
    expect(text).not.toMatch(/refund\(orderId/);
    expect(text.includes('BillingAgent')).toBe(!renamesClasses);
  });

  it('starts and runs a tool call with the manifest bundled in as imported JSON', async () => {
    const out = await runBundle(file, ['billing', 'object']);
    expect(out.message).toBeUndefined();
    expect(out).toMatchObject({ agent: 'billing', status: 'completed' });
    // The arguments reached their parameters by the manifest's order, the context its slot.
    expect(out.lastMessage).toMatch(new RegExp(`^${escape(REFUNDED)}run_`));
    expect(out.className === 'BillingAgent').toBe(!renamesClasses);
  });

  it('starts with the manifest named by $KESTRION_MANIFEST', async () => {
    const out = await runBundle(file, ['billing', 'env'], { env: { KESTRION_MANIFEST: manifestFile } });
    expect(out).toMatchObject({ agent: 'billing', status: 'completed' });
    expect(out.lastMessage).toContain(REFUNDED);
  });

  it(
    renamesClasses
      ? 'refuses an agent without @agent name, whose class the minifier renamed, telling to add one'
      : 'runs an agent without @agent name while its class name survives',
    async () => {
      const out = await runBundle(file, ['unnamed', 'object']);
      if (!renamesClasses) {
        expect(out).toMatchObject({
          agent: 'UnnamedAgent',
          status: 'completed',
          lastMessage: 'tool said: "hello"',
        });
        return;
      }
      expect(out.className).not.toBe('UnnamedAgent');
      expect(out.reason).toBe('manifest_agent_missing');
      expect(out.message).toBe(
        `class "${out.className ?? '?'}" has no tools in the given manifest (it lists UnnamedAgent, billing). ` +
          'Without @agent({ name }) the manifest keys a class by its class name, which minifiers and bundlers rename: ' +
          `the class looks like "UnnamedAgent"; add @agent({ name: 'UnnamedAgent', ... }) to it and ` +
          're-run `npx kestrion-compile --project tsconfig.json` (never edit the manifest by hand)',
      );
    },
  );
});

describe('a bundle run with source maps on (as under jest, tsx, --enable-source-maps)', () => {
  let file: string;
  beforeAll(async () => {
    file = await bundle({ decorators: 'standard', minify: false, keepNames: false, sourcemap: true });
  });

  it('takes kestrion.manifest.json from the working directory', async () => {
    const cwd = fs.mkdtempSync(path.join(work, 'cwd-with-'));
    fs.copyFileSync(manifestFile, path.join(cwd, 'kestrion.manifest.json'));
    const out = await runBundle(file, ['billing', 'cwd'], { cwd, nodeArgs: ['--enable-source-maps'] });
    expect(out).toMatchObject({ agent: 'billing', status: 'completed' });
  });

  it("looks nowhere else: not in the decorated module's or the library's directories", async () => {
    const cwd = fs.mkdtempSync(path.join(work, 'cwd-without-'));
    const out = await runBundle(file, ['billing', 'cwd'], { cwd, nodeArgs: ['--enable-source-maps'] });
    expect(out.reason).toBe('manifest_not_found');
    expect(out.message).toContain(path.join(cwd, 'kestrion.manifest.json'));
    expect(out.message).not.toContain(PACKAGES);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
