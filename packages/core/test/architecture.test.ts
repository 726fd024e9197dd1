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
const allowed: Record<string, string[]> = {
  'packages/core': [],
  'packages/store': ['@kestrion/core'],
  'packages/agent': ['@kestrion/core'],
  'packages/anthropic': ['@kestrion/core'],
  'packages/openai': ['@kestrion/core'],
  'packages/ollama': ['@kestrion/core'],
  'packages/testing': ['@kestrion/core', '@kestrion/store'],
  compiler: ['@kestrion/core'],
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
      /^import\s+(?!type\b)[^;]*from\s+'@kestrion\/core'/m.test(readFileSync(f, 'utf8')),
    );
    expect(runtime.map((f) => relative(root, f)).sort()).toEqual(
      expect.arrayContaining(['compiler/src/cli-args.ts', 'compiler/src/compile-diagnostic.ts']),
    );
  });
});
