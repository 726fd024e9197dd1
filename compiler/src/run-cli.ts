import { ConfigurationError, exitCodeOf, UsageError } from '@kestrion/core';
import { formatDiagnostic } from './compile-diagnostic';
import { parseCliArgs, USAGE, type CliArgs } from './cli-args';
import { resolveOut } from './compile-project';
import { ManifestCompiler } from './manifest-compiler';
import { diffManifests } from './manifest-diff';
import { checkManifestPath, readManifest, writeManifest } from './manifest-file';
import { watchProject, type ProjectWatcher } from './watch-project';

/** Where the CLI prints. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Exit codes of `kestrion-compile`. */
// Usage and configuration errors exit with exitCodeOf(error) (2, from core's error-code table).
const EXIT = { ok: 0, problems: 1 } as const;

/**
 * Runs `kestrion-compile` with the given arguments. Resolves with the exit code (0 ok, 1
 * compile errors or stale manifest, 2 wrong usage or configuration: unknown flags, a missing
 * tsconfig, an `--out` that is a directory or cannot be written); with `--watch` it resolves
 * once watching has started and `onWatch` receives the watcher.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo = { out: (l) => console.log(l), err: (l) => console.error(l) },
  onWatch?: (watcher: ProjectWatcher) => void,
): Promise<number> {
  let args: CliArgs;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n\n${USAGE}`);
    return exitCodeOf(error);
  }
  if (args.help) {
    io.out(USAGE);
    return EXIT.ok;
  }
  try {
    return await compileOnce(args, io, onWatch);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    io.err(`kestrion-compile: ${error.message}`);
    return exitCodeOf(error);
  }
}

async function compileOnce(
  args: CliArgs,
  io: CliIo,
  onWatch: ((watcher: ProjectWatcher) => void) | undefined,
): Promise<number> {
  const out = resolveOut(args.project, args.out);
  checkManifestPath(out, { write: !args.check });
  if (args.watch) {
    const watcher = watchProject({
      project: args.project,
      out,
      onCompile: (event) => {
        if (event.diagnostics.length > 0) for (const d of event.diagnostics) io.err(formatDiagnostic(d));
        else if (event.writeError !== undefined) io.err(`kestrion-compile: ${event.writeError.message}`);
        else
          io.out(
            `${event.written ? 'wrote' : 'unchanged'} ${out} (${Object.keys(event.manifest.tools).length} tools, ${Math.round(event.durationMs)} ms)`,
          );
      },
    });
    await watcher.ready;
    io.out('watching for changes (Ctrl-C to stop)');
    onWatch?.(watcher);
    return EXIT.ok;
  }
  const compiler = ManifestCompiler.fromTsConfig(args.project);
  const result = compiler.compile();
  if (result.diagnostics.length > 0) {
    for (const d of result.diagnostics) io.err(formatDiagnostic(d));
    io.err(`kestrion-compile: ${result.diagnostics.length} problem(s); the manifest was not written`);
    return EXIT.problems;
  }
  const count = Object.keys(result.manifest.tools).length;
  if (args.check) {
    const diff = diffManifests(readManifest(out), result.manifest);
    if (diff === '') {
      io.out(`${out} is up to date (${count} tools)`);
      return EXIT.ok;
    }
    io.err(
      `${out} is stale:\n${diff}\nrun \`npx kestrion-compile --project ${args.project}\` and commit the result`,
    );
    return EXIT.problems;
  }
  const written = writeManifest(out, result.manifest);
  io.out(`${written ? 'wrote' : 'unchanged'} ${out} (${count} tools, ${Math.round(result.durationMs)} ms)`);
  return EXIT.ok;
}
