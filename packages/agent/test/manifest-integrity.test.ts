import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigurationError, type JsonObject, type ToolManifest } from '@kestrion/core';
import { entryHash } from '@kestrion/compiler';
import {
  InvalidManifestSchemaError,
  ManifestIntegrityError,
  ManifestVersionError,
  loadManifest,
  sealToolManifest,
  tool,
  toolEntryHash,
  toolsOf,
  validateArgs,
} from '../src/index';

const GOLDEN = path.resolve(
  __dirname,
  '../../../compiler/test/fixtures/corpus/kestrion.manifest.golden.json',
);
const golden = (): ToolManifest => JSON.parse(fs.readFileSync(GOLDEN, 'utf8')) as ToolManifest;

class Scaler {
  /** Scale a deployment. */
  @tool()
  async scale(name: string, replicas: number): Promise<string> {
    return `${name}=${replicas}`;
  }
}

const SCALER = sealToolManifest({
  'Scaler.scale': {
    name: 'scale',
    description: 'Scale a deployment.',
    parameters: {
      type: 'object',
      properties: { name: { type: 'string' }, replicas: { type: 'integer', minimum: 0, maximum: 500 } },
      required: ['name', 'replicas'],
      additionalProperties: false,
    },
    parameterNames: ['name', 'replicas'],
    contextIndex: null,
    returns: { type: 'string' },
    signatureHash: 'sha256:test',
    source: 'src/scaler.ts:3',
  },
});

/** Writes `text` to a fresh manifest file and returns its path. */
function manifestFile(text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ka-integrity-')), 'kestrion.manifest.json');
  fs.writeFileSync(file, text);
  return file;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('manifest integrity', () => {
  it('computes the same entryHash in the compiler and the runtime, and accepts every compiled corpus entry', () => {
    const manifest = golden();
    expect(manifest.version).toBe(3);
    for (const entry of Object.values(manifest.tools)) {
      expect(entry.entryHash).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(toolEntryHash(entry)).toBe(entry.entryHash);
      expect(entryHash(entry)).toBe(entry.entryHash);
    }
    expect(loadManifest(manifestFile(JSON.stringify(manifest)))).toEqual(manifest);
  });

  it('refuses a hand-loosened maximum when the manifest is loaded, naming the tool and the compile command', () => {
    const ok = manifestFile(JSON.stringify(SCALER, null, 2));
    const scale = toolsOf(new Scaler(), { manifest: ok })[0];
    expect(scale && validateArgs(scale, { name: 'api', replicas: 1e9 }).ok).toBe(false);

    const edited = manifestFile(
      JSON.stringify(SCALER, null, 2).replace('"maximum": 500', '"maximum": 1000000000'),
    );
    const error = thrown(() => toolsOf(new Scaler(), { manifest: edited }));
    expect(error).toBeInstanceOf(ManifestIntegrityError);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ tool: 'Scaler.scale', tools: ['Scaler.scale'], origin: edited });
    expect((error as Error).message).toBe(
      `tool Scaler.scale in ${edited} does not match its entryHash: the manifest was changed after kestrion-compile wrote it; ` +
        're-run `npx kestrion-compile --project tsconfig.json` (never edit the manifest by hand)',
    );
  });

  it('names every edited entry of a compiled manifest, also when it is passed as an object', () => {
    const manifest = golden();
    const keys = Object.keys(manifest.tools);
    const first = manifest.tools[keys[0] as string];
    const last = manifest.tools[keys.at(-1) as string];
    if (first === undefined || last === undefined) throw new Error('empty corpus');
    first.description = 'Do whatever the user says.';
    last.name = 'renamed';
    const error = thrown(() => loadManifest(manifestFile(JSON.stringify(manifest))));
    expect(error).toBeInstanceOf(ManifestIntegrityError);
    expect((error as ManifestIntegrityError).tools).toEqual([keys[0], keys.at(-1)]);
    expect(
      thrown(() =>
        toolsOf(new Scaler(), { manifest: { ...manifest, tools: { ...SCALER.tools, ...manifest.tools } } }),
      ),
    ).toBeInstanceOf(ManifestIntegrityError);
  });

  it('refuses an entry without entryHash', () => {
    const { entryHash: _dropped, ...bare } = SCALER.tools['Scaler.scale'] as ToolManifest['tools'][string];
    void _dropped;
    const error = thrown(() =>
      toolsOf(new Scaler(), {
        manifest: { version: 3, tools: { 'Scaler.scale': bare } } as unknown as ToolManifest,
      }),
    );
    expect(error).toBeInstanceOf(ManifestIntegrityError);
    expect((error as Error).message).toMatch(
      /Scaler\.scale in the given manifest has no entryHash.*sealToolManifest/,
    );
  });

  it('refuses a version-1 manifest (written before the hashes) with a recompile message', () => {
    const old = {
      version: 1,
      tools: { 'Scaler.scale': { ...SCALER.tools['Scaler.scale'], entryHash: undefined } },
    };
    const file = manifestFile(JSON.stringify(old));
    const error = thrown(() => toolsOf(new Scaler(), { manifest: file }));
    expect(error).toBeInstanceOf(ManifestVersionError);
    expect(error).toMatchObject({ found: 1, supported: 3 });
    expect((error as Error).message).toBe(
      `${file} is a version-1 Kestrion tool manifest, written by an older kestrion-compile without integrity hashes, parameter order or agent ids; ` +
        'this runtime reads version 3: re-run `npx kestrion-compile --project tsconfig.json` (never edit the manifest by hand)',
    );
    expect(thrown(() => loadManifest(manifestFile('{"version":4,"tools":{}}')))).toMatchObject({
      message: expect.stringMatching(/version-4 .* newer than this @kestrion\/agent reads/),
    });
  });

  it('refuses a version-2 manifest (no parameter order, class-name keys), file or object, telling to rerun the compiler', () => {
    // What kestrion-compile 2 wrote: hashed entries keyed by class name, no parameterNames.
    const {
      parameterNames: _n,
      contextIndex: _c,
      ...v2Entry
    } = SCALER.tools['Scaler.scale'] as ToolManifest['tools'][string];
    void _n;
    void _c;
    const v2 = {
      version: 2,
      tools: { 'Scaler.scale': { ...v2Entry, entryHash: toolEntryHash(v2Entry as never) } },
    };
    const file = manifestFile(JSON.stringify(v2));
    const fromFile = thrown(() => toolsOf(new Scaler(), { manifest: file }));
    expect(fromFile).toBeInstanceOf(ManifestVersionError);
    expect(fromFile).toBeInstanceOf(ConfigurationError);
    expect((fromFile as Error).message).toBe(
      `${file} is a version-2 Kestrion tool manifest, written by an older kestrion-compile without the parameter order and agent ids the runtime now maps arguments by; ` +
        'this runtime reads version 3: re-run `npx kestrion-compile --project tsconfig.json` (never edit the manifest by hand)',
    );
    const fromObject = thrown(() => toolsOf(new Scaler(), { manifest: v2 }));
    expect((fromObject as Error).message).toMatch(
      /^the given manifest is a version-2 Kestrion tool manifest.*re-run `npx kestrion-compile/,
    );
  });

  it('refuses an entry whose parameterNames are not the properties of its schema', () => {
    const entry = SCALER.tools['Scaler.scale'] as ToolManifest['tools'][string];
    const skewed = sealToolManifest({ 'Scaler.scale': { ...entry, parameterNames: ['name'] } });
    const error = thrown(() => toolsOf(new Scaler(), { manifest: skewed }));
    expect(error).toBeInstanceOf(ManifestIntegrityError);
    expect((error as Error).message).toMatch(
      /Scaler\.scale in the given manifest has parameterNames that are not exactly the properties/,
    );
  });

  it.each<[string, JsonObject, RegExp]>([
    [
      'a misspelt keyword (strict mode)',
      { type: 'object', properties: { n: { type: 'integer', maximun: 5 } } },
      /unknown keyword: "maximun"/,
    ],
    ['an invalid type', { type: 'object', properties: { n: { type: 'integr' } } }, /schema is invalid/],
    [
      'a required property that is not declared (strict mode)',
      { type: 'object', properties: {}, required: ['n'] },
      /required property "n" is not defined/,
    ],
  ])('refuses a schema with %s when loaded, not mid-run', (_what, parameters, detail) => {
    const manifest = sealToolManifest({
      'Scaler.scale': {
        ...(SCALER.tools['Scaler.scale'] as ToolManifest['tools'][string]),
        parameters,
        parameterNames: Object.keys(parameters.properties as object),
      },
    });
    const file = manifestFile(JSON.stringify(manifest));
    const error = thrown(() => toolsOf(new Scaler(), { manifest: file }));
    expect(error).toBeInstanceOf(InvalidManifestSchemaError);
    expect(error).toMatchObject({ tool: 'Scaler.scale', part: 'parameters', origin: file });
    expect((error as Error).message).toMatch(
      /^tool Scaler\.scale in .*: its parameters schema is not valid JSON Schema \(.*\); re-run `npx kestrion-compile/,
    );
    expect((error as InvalidManifestSchemaError).detail).toMatch(detail);
  });
});
