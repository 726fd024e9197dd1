import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import * as ts from 'typescript';
import { ConfigurationError, type ToolManifest } from '@kestrion/core';
import * as agentModule from '../src/index';
import { ManifestNotFoundError, sealToolManifest, tool, toolsOf } from '../src/index';

class Finder {
  @tool()
  async look(where: string): Promise<string> {
    return where;
  }
}

const entry = {
  name: 'look',
  description: 'Look.',
  parameters: { type: 'object', properties: { where: { type: 'string' } }, additionalProperties: false },
  parameterNames: ['where'],
  contextIndex: null,
  returns: { type: 'string' },
  signatureHash: 'sha256:x',
  source: 'src/finder.ts:1',
};
/** Each manifest names its own description, so a test can tell which one was loaded. */
const manifestFrom = (from: string): ToolManifest =>
  sealToolManifest({ 'Finder.look': { ...entry, description: `from ${from}` } });

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function write(file: string, manifest: ToolManifest): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(manifest));
  return file;
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

const describeLoaded = (options: Parameters<typeof toolsOf>[1]): string | undefined =>
  toolsOf(new Finder(), options)[0]?.description;

afterEach(() => {
  delete process.env.KESTRION_MANIFEST;
});

describe('where the runtime takes the manifest from', () => {
  it('takes a path given as the manifest option, relative to cwd, over the env var and the cwd file', () => {
    const dir = tempDir('ka-find-option-');
    write(path.join(dir, 'kestrion.manifest.json'), manifestFrom('cwd'));
    process.env.KESTRION_MANIFEST = write(path.join(dir, 'env.json'), manifestFrom('env'));
    write(path.join(dir, 'build', 'tools.json'), manifestFrom('option'));
    expect(describeLoaded({ manifest: 'build/tools.json', cwd: dir })).toBe('from option');
  });

  it('takes the manifest object itself, as `import manifest from "./kestrion.manifest.json"` or require gives it', () => {
    const dir = tempDir('ka-find-object-');
    const file = write(path.join(dir, 'kestrion.manifest.json'), manifestFrom('imported json'));
    // What a bundler or Node's JSON loader hands over: plain parsed JSON, typed `version: number`.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const imported = require(file) as { version: number; tools: object };
    process.env.KESTRION_MANIFEST = path.join(dir, 'missing.json');
    expect(describeLoaded({ manifest: imported, cwd: tempDir('ka-find-empty-') })).toBe('from imported json');
  });

  it('takes $KESTRION_MANIFEST when no option is given, over the cwd file', () => {
    const dir = tempDir('ka-find-env-');
    write(path.join(dir, 'kestrion.manifest.json'), manifestFrom('cwd'));
    process.env.KESTRION_MANIFEST = write(
      path.join(tempDir('ka-find-env-file-'), 'm.json'),
      manifestFrom('env'),
    );
    expect(describeLoaded({ cwd: dir })).toBe('from env');
  });

  it("takes kestrion.manifest.json in the working directory by default (the existing users' setup)", () => {
    const dir = tempDir('ka-find-cwd-');
    write(path.join(dir, 'kestrion.manifest.json'), manifestFrom('cwd'));
    expect(describeLoaded({ cwd: dir })).toBe('from cwd');
  });

  it('names the file and the setting it came from when it is missing', () => {
    const dir = tempDir('ka-find-missing-');
    const fromOption = thrown(() => toolsOf(new Finder(), { manifest: 'nope.json', cwd: dir }));
    expect(fromOption).toBeInstanceOf(ManifestNotFoundError);
    expect(fromOption).toBeInstanceOf(ConfigurationError);
    expect(fromOption.message).toBe(
      `no tool manifest at ${path.join(dir, 'nope.json')} (from the manifest option); run \`npx kestrion-compile --project tsconfig.json\`, or point the manifest option at the file it writes`,
    );
    process.env.KESTRION_MANIFEST = 'gone.json';
    expect(thrown(() => toolsOf(new Finder(), { cwd: dir })).message).toMatch(
      /^no tool manifest at .*gone\.json \(from \$KESTRION_MANIFEST\)/,
    );
  });

  it('never searches from the module that declared the class (stack traces point into the library under source maps)', () => {
    // The layout the old walk-up served: the manifest at the project root, the class compiled
    // into dist/, the process started elsewhere. It must not be found: only cwd counts.
    const root = tempDir('ka-find-walk-');
    write(
      path.join(root, 'kestrion.manifest.json'),
      sealToolManifest({ 'Walker.go': { ...entry, name: 'go' } }),
    );
    const file = path.join(root, 'dist', 'agents', 'walker.js');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const { outputText } = ts.transpileModule(
      `import { tool } from '@kestrion/agent';\nexport class Walker { @tool() go(where: string) { return where; } }`,
      { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS } },
    );
    fs.writeFileSync(file, outputText);
    const { Walker } = loadCompiled(file) as { Walker: new () => object };
    const elsewhere = tempDir('ka-find-elsewhere-');
    const error = thrown(() => toolsOf(new Walker(), { cwd: elsewhere }));
    expect(error).toBeInstanceOf(ManifestNotFoundError);
    // Exactly one place was looked at, the working directory's file: not the module's
    // directories, not this library's (jest maps this package's frames to its sources).
    expect((error as ManifestNotFoundError).file).toBe(path.join(elsewhere, 'kestrion.manifest.json'));
    expect(error.message).not.toContain(root);
    expect(error.message).not.toContain(path.resolve(__dirname, '..'));
    expect(error.message).toMatch(
      /looks only in the working directory.*pass \{ manifest \}.*KESTRION_MANIFEST/,
    );
  });

  it('resolves the default against process.cwd() when no cwd is given', () => {
    const dir = tempDir('ka-find-process-cwd-');
    write(path.join(dir, 'kestrion.manifest.json'), manifestFrom('process cwd'));
    const before = process.cwd();
    process.chdir(dir);
    try {
      expect(describeLoaded({})).toBe('from process cwd');
    } finally {
      process.chdir(before);
    }
  });
});

/** Evaluates a compiled CommonJS file under its own file name (stack frames name it), serving '@kestrion/agent'. */
function loadCompiled(file: string): unknown {
  const source = fs.readFileSync(file, 'utf8');
  const moduleExports: Record<string, unknown> = {};
  const wrapped = `(function (require, exports, module) {${source}\n})\n//# sourceURL=${file}`;
  const fn = (0, eval)(wrapped) as (r: (id: string) => unknown, e: object, m: object) => void;
  fn((id) => (id === '@kestrion/agent' ? agentModule : undefined), moduleExports, { exports: moduleExports });
  return moduleExports;
}
