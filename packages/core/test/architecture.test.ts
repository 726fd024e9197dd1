import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { builtinModules } from 'node:module';

const root = join(__dirname, '..', '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1] as string);
}

/** Which workspace packages each package's src may import (docs/architecture.md#dependency-direction). */
const STORE_KIT = '@kestrion/core/store-kit';
const PROVIDER_KIT = '@kestrion/core/provider-kit';
const allowed: Record<string, string[]> = {
  'packages/core': [],
  'packages/store': ['@kestrion/core', STORE_KIT],
  'packages/agent': ['@kestrion/core', PROVIDER_KIT],
  'packages/anthropic': ['@kestrion/core', PROVIDER_KIT],
  'packages/openai': ['@kestrion/core', PROVIDER_KIT],
  'packages/ollama': ['@kestrion/core', PROVIDER_KIT],
  'packages/testing': ['@kestrion/core', STORE_KIT, PROVIDER_KIT, '@kestrion/store'],
  compiler: ['@kestrion/core'],
  'packages/mcp': ['@kestrion/core', '@kestrion/agent'],
};

describe('package boundaries', () => {
  it('keeps core free of any non-builtin import', () => {
    const offending = sourceFiles(join(root, 'packages/core/src')).flatMap((f) =>
      importsOf(f)
        .filter((m) => !m.startsWith('.') && !m.startsWith('node:') && !builtinModules.includes(m))
        .map((m) => `${relative(root, f)} imports ${m}`),
    );
    expect(offending).toEqual([]);
  });

  it.each(Object.entries(allowed))('lets %s import only the Kestrion packages below it', (pkg, permitted) => {
    const offending = sourceFiles(join(root, pkg, 'src')).flatMap((f) =>
      importsOf(f)
        .filter((m) => m.startsWith('@kestrion/') && !permitted.includes(m))
        .map((m) => `${relative(root, f)} imports ${m}`),
    );
    expect(offending).toEqual([]);
  });

  // The compiler imports core at run time (its errors are KestrionErrors, its CLI exit codes come
  // from core's error-code table). That costs nothing only while core itself has no runtime
  // dependency, so both are checked here.
  it('lets the compiler import core at run time, because core has no dependencies', () => {
    const pkg = (dir: string) => JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    expect(pkg('packages/core').dependencies ?? {}).toEqual({});
    expect(pkg('packages/core').peerDependencies ?? {}).toEqual({});
    expect(Object.keys(pkg('compiler').dependencies)).toContain('@kestrion/core');
    const runtime = sourceFiles(join(root, 'compiler/src')).filter((f) =>
      /^import\s+(?!type\b)[^;]*from\s+'@kestrion\/core(\/[a-z-]+)?'/m.test(readFileSync(f, 'utf8')),
    );
    expect(runtime.map((f) => relative(root, f)).sort()).toEqual(
      expect.arrayContaining(['compiler/src/cli-args.ts', 'compiler/src/compile-diagnostic.ts']),
    );
  });
});

/** The names exported by an entry file (`export { a, type B } from ...` lists). */
function exportedNames(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)].flatMap((m) =>
    (m[1] as string)
      .split(',')
      .map((n) => n.trim().replace(/^type\s+/, ''))
      .filter((n) => n !== ''),
  );
}

describe('public entries by audience', () => {
  // Internals of core, and what only a Store or Provider implementer needs: never in the
  // application entry (docs/architecture.md#entries).
  const internals = [
    'foldInto',
    'isoAt',
    'toRunView',
    'requiredRoles',
    'approvalBindingProblem',
    'findJsonProblem',
    'formatJsonPath',
    'encodeEvents',
    'EventDecoder',
    'encodeEventData',
    'eventTypeProblem',
    'projectRunRecord',
    'assertValidRunId',
    'assertValidListQuery',
    'assertDistinctEventIds',
    'encodeRunCursor',
    'decodeRunCursor',
    'isAfterCursor',
    'loadRunState',
    'snapshotProblem',
    'RawEventRow',
    'CodecOptions',
    'decideAppend',
    'runProviderCall',
    'translateSdkError',
    'providerRetryPolicy',
    'retryDelayMs',
    'parseRetryAfterMs',
    'toolCallFromText',
    'toolCallFromValue',
    'priceOf',
    'costOf',
    'isSchemaObject',
    'scrubSecrets',
    'scrubError',
    'urlPassword',
    'jsonHash',
    'canonicalJson',
    'ScriptedProvider',
  ];

  it('keeps internals and implementer kits out of the application entry', () => {
    const app = exportedNames('packages/core/src/index.ts');
    expect(internals.filter((n) => app.includes(n))).toEqual([]);
  });

  it('gives store and provider implementers their kits', () => {
    const storeKit = exportedNames('packages/core/src/store-kit.ts');
    const providerKit = exportedNames('packages/core/src/provider-kit.ts');
    for (const n of ['encodeEvents', 'EventDecoder', 'projectRunRecord', 'encodeRunCursor', 'decideAppend'])
      expect(storeKit).toContain(n);
    for (const n of [
      'runProviderCall',
      'providerRetryPolicy',
      'translateSdkError',
      'priceOf',
      'toolCallFromText',
    ])
      expect(providerKit).toContain(n);
  });

  it('exports each subpath from package.json with its types', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8')) as {
      exports: Record<string, { types: string; default: string } | string>;
    };
    expect(pkg.exports['./store-kit']).toEqual({
      types: './dist/store-kit.d.ts',
      default: './dist/store-kit.bundle.js',
    });
    expect(pkg.exports['./provider-kit']).toEqual({
      types: './dist/provider-kit.d.ts',
      default: './dist/provider-kit.bundle.js',
    });
  });

  it('keeps the test kit out of the examples at run time', () => {
    for (const example of ['examples/quickstart', 'examples/kubectl-agent']) {
      const pkg = JSON.parse(readFileSync(join(root, example, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
      };
      expect(Object.keys(pkg.dependencies ?? {})).not.toContain('@kestrion/testing');
      const runtime = sourceFiles(join(root, example, 'src')).filter((f) =>
        importsOf(f).includes('@kestrion/testing'),
      );
      expect(runtime).toEqual([]);
    }
  });
});
