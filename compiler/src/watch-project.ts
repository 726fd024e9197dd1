import * as path from 'node:path';
import { ts } from 'ts-morph';
import { CompilerConfigError, relativePath, type CompileDiagnostic } from './compile-diagnostic';
import type { ToolManifest } from './json-types';
import { checkTsConfigPath, compileProgram } from './manifest-compiler';
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
  /** Compiles the programs the watcher builds (`rootDir` is the tsconfig's directory). */
  readonly compiler: { readonly rootDir: string };
  close(): void;
}

/**
 * Compiles the manifest, then recompiles whenever the project changes, on TypeScript's own
 * watch API (`ts.createWatchProgram`, as `tsc --watch`): edited, new and deleted source files,
 * new directories matched by `include`, and edits of the tsconfig (and the configs it extends),
 * which re-read `include`, `files` and the compiler options. The program is rebuilt
 * incrementally. With errors, the manifest is left as it was and the errors are reported through
 * `onCompile`. Throws `CompilerConfigError` at once when the tsconfig is missing or `out` is a
 * directory or not writable.
 */
export function watchProject(options: WatchProjectOptions): ProjectWatcher {
  const out = resolveOut(options.project, options.out);
  checkManifestPath(out, { write: true });
  const configFile = checkTsConfigPath(options.project);
  const rootDir = path.dirname(configFile);
  const debounceMs = options.debounceMs ?? 30;
  const changed = new Set<string>();
  let closed = false;
  let first = true;
  let watch: ts.WatchOfConfigFile<ts.SemanticDiagnosticsBuilderProgram> | undefined;
  let resolveReady: (event: WatchEvent) => void = () => undefined;
  let rejectReady: (error: unknown) => void = () => undefined;
  const ready = new Promise<WatchEvent>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });

  const note = (file: string): void => {
    const resolved = path.resolve(file);
    if (resolved === out || !/\.(c|m)?tsx?$|\.json$/.test(resolved)) return;
    changed.add(resolved);
  };
  const base = ts.sys;
  const system: ts.System = {
    ...base,
    // Recompile `debounceMs` after the last change (TypeScript waits 250 ms by default).
    setTimeout: (callback, ms, ...args) => setTimeout(callback, Math.min(ms, debounceMs), ...args),
    clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
    watchFile: (file, callback, interval, watchOptions) =>
      (base.watchFile as NonNullable<ts.System['watchFile']>)(
        file,
        (name, kind, modified) => {
          note(name);
          callback(name, kind, modified);
        },
        interval,
        watchOptions,
      ),
    watchDirectory: (dir, callback, recursive, watchOptions) =>
      (base.watchDirectory as NonNullable<ts.System['watchDirectory']>)(
        dir,
        (name) => {
          note(name);
          callback(name);
        },
        recursive,
        watchOptions,
      ),
    write: () => undefined,
    clearScreen: () => undefined,
  };

  let roots = new Set<string>();
  const run = (program: ts.Program, configDiagnostics: readonly ts.Diagnostic[]): WatchEvent => {
    // What changed: files the watchers reported, and files that joined or left the program
    // (a new directory is reported as the directory; its files are found by the rescan).
    const nextRoots = new Set(program.getRootFileNames().map((f) => path.resolve(f)));
    for (const f of nextRoots) if (!roots.has(f)) changed.add(f);
    for (const f of roots) if (!nextRoots.has(f)) changed.add(f);
    roots = nextRoots;
    const changedFiles = first ? [] : [...changed].sort();
    first = false;
    changed.clear();
    const result = compileProgram(program, rootDir);
    const diagnostics = [
      ...configDiagnostics
        .filter((d) => d.category === ts.DiagnosticCategory.Error)
        .map((d) => configDiagnostic(d, rootDir, configFile)),
      ...result.diagnostics,
    ];
    let written = false;
    let writeError: CompilerConfigError | undefined;
    try {
      written = diagnostics.length === 0 && writeManifest(out, result.manifest);
    } catch (error) {
      if (!(error instanceof CompilerConfigError)) throw error;
      writeError = error;
    }
    const event: WatchEvent = {
      ...result,
      diagnostics,
      written,
      changedFiles,
      ...(writeError ? { writeError } : {}),
    };
    options.onCompile?.(event);
    resolveReady(event);
    return event;
  };

  const host = ts.createWatchCompilerHost(
    configFile,
    { noEmit: true },
    system,
    ts.createSemanticDiagnosticsBuilderProgram,
    () => undefined, // config problems are read from the program, see run()
    () => undefined,
  );
  host.afterProgramCreate = (builder) => {
    if (closed) return;
    const program = builder.getProgram();
    run(program, program.getConfigFileParsingDiagnostics());
  };

  // Like before: the first compilation runs after watchProject returns.
  void Promise.resolve().then(() => {
    try {
      if (!closed) watch = ts.createWatchProgram(host);
    } catch (error) {
      rejectReady(error);
    }
  });
  return {
    ready,
    compiler: { rootDir },
    close() {
      closed = true;
      watch?.close();
    },
  };
}

/** A tsconfig problem (an unreadable file, no inputs matched) as a diagnostic. */
function configDiagnostic(d: ts.Diagnostic, rootDir: string, configFile: string): CompileDiagnostic {
  const file = d.file?.fileName ?? configFile;
  const { line, character } =
    d.file !== undefined && d.start !== undefined
      ? d.file.getLineAndCharacterOfPosition(d.start)
      : { line: 0, character: 0 };
  return {
    file: relativePath(rootDir, file),
    line: line + 1,
    column: character + 1,
    message: `tsconfig error TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ').replace(/\.$/, '')}`,
    fix: 'fix the tsconfig (`tsc -p` reports the same problem); the watcher picks the fix up',
  };
}
