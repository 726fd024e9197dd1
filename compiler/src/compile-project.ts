import * as path from 'node:path';
import { ManifestCompileError } from './compile-diagnostic';
import type { ToolManifest } from './json-types';
import { ManifestCompiler } from './manifest-compiler';
import { checkManifestPath, DEFAULT_MANIFEST_NAME, writeManifest } from './manifest-file';

/** Options of {@link compileProject}. */
export interface CompileProjectOptions {
  /** Path to the tsconfig.json of the project. */
  project: string;
  /** Where to write the manifest. Default: `kestrion.manifest.json` beside the tsconfig. */
  out?: string;
  /** Reuse a compiler (and its ts-morph project) across calls, e.g. in tests. */
  compiler?: ManifestCompiler;
}

/** What {@link compileProject} did. */
export interface CompileProjectResult {
  manifest: ToolManifest;
  /** The manifest file. */
  out: string;
  /** False when the file already held this exact manifest. */
  written: boolean;
  durationMs: number;
}

/**
 * Compiles a project's tool manifest and writes it. Meant for build scripts and jest
 * `globalSetup` (see the package README). Throws {@link ManifestCompileError} listing every
 * problem when any tool cannot be compiled; nothing is written then. Throws
 * `CompilerConfigError` when the tsconfig is missing or `out` is a directory or not writable
 * (checked before compiling).
 */
export function compileProject(options: CompileProjectOptions): CompileProjectResult {
  const out = resolveOut(options.project, options.out);
  checkManifestPath(out, { write: true });
  const compiler = options.compiler ?? ManifestCompiler.fromTsConfig(options.project);
  const result = compiler.compile();
  if (result.diagnostics.length > 0) throw new ManifestCompileError(result.diagnostics);
  const written = writeManifest(out, result.manifest);
  return { manifest: result.manifest, out, written, durationMs: result.durationMs };
}

/** The manifest path for a project: `out` if given, else `kestrion.manifest.json` beside the tsconfig. */
export function resolveOut(project: string, out: string | undefined): string {
  return path.resolve(out ?? path.join(path.dirname(path.resolve(project)), DEFAULT_MANIFEST_NAME));
}
