// @kestrion/compiler — the public API. Every export here is a decision; keep the list explicit.
export { compileProject, resolveOut } from './compile-project';
export type { CompileProjectOptions, CompileProjectResult } from './compile-project';
export { ManifestCompiler } from './manifest-compiler';
export type { CompileResult, RefreshOutcome } from './manifest-compiler';
export { ManifestCompileError, formatDiagnostic } from './compile-diagnostic';
export type { CompileDiagnostic } from './compile-diagnostic';
export { watchProject } from './watch-project';
export type { WatchProjectOptions, WatchEvent, ProjectWatcher } from './watch-project';
export { diffManifests } from './manifest-diff';
export {
  serializeManifest,
  writeManifest,
  readManifest,
  DEFAULT_MANIFEST_NAME,
  MANIFEST_VERSION,
} from './manifest-file';
export { runCli } from './run-cli';
export type { CliIo } from './run-cli';
export { parseCliArgs, USAGE } from './cli-args';
export type { CliArgs } from './cli-args';
export { signatureHash, entryHash, canonicalJson } from './signature-hash';
export { CompilerConfigError } from './compile-diagnostic';
export { TOOL_NAME_PATTERN } from './tool-name';
export { checkManifestPath } from './manifest-file';
