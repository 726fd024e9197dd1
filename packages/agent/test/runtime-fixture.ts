import { join } from 'node:path';
import type { ModelToolCall, ToolManifest } from '@kestrion/core';
import { ManifestCompiler } from '@kestrion/compiler';

/** The manifest of the agent classes in fixtures/runtime, compiled by the real compiler. */
export function compileRuntimeManifest(): ToolManifest {
  const result = ManifestCompiler.fromTsConfig(
    join(__dirname, 'fixtures', 'runtime', 'tsconfig.json'),
  ).compile();
  expect(result.diagnostics).toEqual([]);
  return result.manifest;
}

/** A tool call as a scripted model makes it. */
export function call(id: string, name: string, args: unknown, malformed = false): ModelToolCall {
  return { id, name, arguments: args as ModelToolCall['arguments'], ...(malformed ? { malformed } : {}) };
}
