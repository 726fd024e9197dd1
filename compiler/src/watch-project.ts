import * as fs from 'node:fs';
import * as path from 'node:path';
import { CompilerConfigError, type CompileDiagnostic } from './compile-diagnostic';
import type { ToolManifest } from './json-types';
import { ManifestCompiler } from './manifest-compiler';
import { checkManifestPath, writeManifest } from './manifest-file';
import { resolveOut } from './compile-project';

/** One compilation done by the watcher. */
export interface WatchEvent {
  manifest: ToolManifest;
  diagnostics: CompileDiagnostic[];
  /** True when the manifest file was (re)written; false when it was unchanged or there were errors. */
  written: boolean;
  /** Why the manifest could not be written (e.g. its directory was removed), when it could not. */
  writeError?: CompilerConfigError;
  /** The files whose change triggered this run (empty for the first run). */
  changedFiles: string[];
  durationMs: number;
}

/** Options of {@link watchProject}. */
export interface WatchProjectOptions {
  project: string;
  out?: string;
  /** Quiet time after the last change before recompiling. Default 30 ms. */
  debounceMs?: number;
  /** Called after every compilation, including the first. */
  onCompile?: (event: WatchEvent) => void;
}

/** A running watcher. */
export interface ProjectWatcher {
  /** Resolves with the first compilation. */
  ready: Promise<WatchEvent>;
  readonly compiler: ManifestCompiler;
  close(): void;
}

/**
 * Compiles the manifest, then recompiles whenever a source file of the project changes. The
 * changed file is re-read into the same ts-morph project (no new Project), so the program is
 * rebuilt incrementally. With errors, the manifest is left as it was and the errors are
 * reported through `onCompile`. Throws `CompilerConfigError` at once when the tsconfig is
 * missing or `out` is a directory or not writable.
 */
export function watchProject(options: WatchProjectOptions): ProjectWatcher {
  const out = resolveOut(options.project, options.out);
  checkManifestPath(out, { write: true });
  const compiler = ManifestCompiler.fromTsConfig(options.project);
  const debounceMs = options.debounceMs ?? 30;
  const pending = new Set<string>();
  const watchers: fs.FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const run = (changedFiles: string[]): WatchEvent => {
    const result = compiler.compile();
    let written = false;
    let writeError: CompilerConfigError | undefined;
    try {
      written = result.diagnostics.length === 0 && writeManifest(out, result.manifest);
    } catch (error) {
      if (!(error instanceof CompilerConfigError)) throw error;
      writeError = error;
    }
    const event: WatchEvent = { ...result, written, changedFiles, ...(writeError ? { writeError } : {}) };
    options.onCompile?.(event);
    return event;
  };

  const flush = (): void => {
    timer = undefined;
    if (closed) return;
    const files = [...pending];
    pending.clear();
    const touched = files.filter((f) => {
      const outcome = compiler.refreshFile(f);
      return outcome !== 'unchanged' && outcome !== 'ignored';
    });
    if (touched.length > 0) run(touched);
  };

  const dirs = new Set<string>([path.dirname(path.resolve(options.project))]);
  for (const sourceFile of compiler.project.getSourceFiles()) {
    const file = sourceFile.getFilePath();
    if (!sourceFile.isDeclarationFile() && !file.includes('/node_modules/')) dirs.add(path.dirname(file));
  }
  for (const dir of dirs) {
    const watcher = fs.watch(dir, (_event, name) => {
      if (name === null || !/\.(c|m)?tsx?$/.test(name)) return;
      pending.add(path.join(dir, name.toString()));
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(flush, debounceMs);
    });
    watchers.push(watcher);
  }

  const ready = Promise.resolve().then(() => run([]));
  return {
    ready,
    compiler,
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
