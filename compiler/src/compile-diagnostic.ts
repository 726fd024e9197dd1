import * as path from 'node:path';
import { ConfigurationError, KestrionError } from '@kestrion/core';

/** One reason a project's manifest could not be compiled. */
export interface CompileDiagnostic {
  /** File path relative to the project root. */
  file: string;
  line: number;
  column: number;
  /** `Class.method`, when the problem is inside a tool. */
  tool?: string;
  /** The parameter (and path inside it), when the problem is inside one. */
  parameter?: string;
  message: string;
  /** What to change. */
  fix: string;
}

/** `src/ops.ts:12:5 OpsAgent.apply, parameter "opts.cb": <message>. Fix: <fix>` */
export function formatDiagnostic(d: CompileDiagnostic): string {
  const where = [
    d.tool,
    d.parameter === undefined
      ? undefined
      : d.parameter.startsWith('(returns)')
        ? `return type${d.parameter.slice('(returns)'.length)}`
        : `parameter "${d.parameter}"`,
  ]
    .filter(Boolean)
    .join(', ');
  return `${d.file}:${d.line}:${d.column} - ${where === '' ? '' : `${where}: `}${d.message}. Fix: ${d.fix}.`;
}

/**
 * Thrown by `compileProject` when any tool cannot be compiled; carries every diagnostic. A
 * `KestrionError` with code `manifest_compile` (never retryable; the CLI exits 1).
 */
export class ManifestCompileError extends KestrionError {
  constructor(readonly diagnostics: readonly CompileDiagnostic[]) {
    super(
      'manifest_compile',
      `kestrion-compile found ${diagnostics.length} problem${diagnostics.length === 1 ? '' : 's'}:\n` +
        diagnostics.map((d) => `  ${formatDiagnostic(d)}`).join('\n'),
    );
  }
}

/**
 * The project's setup is wrong, so nothing can be compiled or written: the tsconfig is missing,
 * `--out` is a directory or cannot be written. The CLI prints the message and exits 2
 * (`exitCodeOf`). A core `ConfigurationError` (code `configuration`, never retryable).
 */
export class CompilerConfigError extends ConfigurationError {
  constructor(
    readonly problem: string,
    readonly fix: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${problem}. Fix: ${fix}.`, options);
  }
}

/** A `/`-separated path relative to `root`. */
export function relativePath(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}
