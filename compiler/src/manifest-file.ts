import * as fs from 'node:fs';
import * as path from 'node:path';
import { CompilerConfigError } from './compile-diagnostic';
import type { ToolManifest } from './json-types';

/**
 * The manifest format version this compiler writes (3: tools keyed by agent id, with
 * `parameterNames` and `contextIndex`). `@kestrion/agent` reads exactly this version.
 */
export const MANIFEST_VERSION = 3;

/** The file name the compiler writes by default, beside the tsconfig. */
export const DEFAULT_MANIFEST_NAME = 'kestrion.manifest.json';

/** The manifest as written to disk: two-space JSON with a final newline. */
export function serializeManifest(manifest: ToolManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/**
 * Throws {@link CompilerConfigError} when `file` cannot be the manifest: it is a directory, or
 * (with `write`) a parent on its path is a file or the nearest existing directory is not
 * writable. Checked before compiling so a wrong `--out` fails at once, not after the compile.
 */
export function checkManifestPath(file: string, options: { write: boolean }): void {
  const stat = statOrUndefined(file);
  if (stat?.isDirectory())
    throw new CompilerConfigError(
      `the manifest path ${file} is a directory`,
      `give --out (or \`out\`) a file path, e.g. ${path.join(file, DEFAULT_MANIFEST_NAME)}`,
    );
  if (!options.write) return;
  let dir = path.dirname(file);
  let dirStat = statOrUndefined(dir);
  while (dirStat === undefined && path.dirname(dir) !== dir) {
    dir = path.dirname(dir);
    dirStat = statOrUndefined(dir);
  }
  if (dirStat !== undefined && !dirStat.isDirectory())
    throw new CompilerConfigError(
      `cannot write the manifest ${file}: ${dir} is a file, not a directory`,
      'point --out at a path whose parent directories are directories',
    );
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (cause) {
    throw new CompilerConfigError(
      `cannot write the manifest ${file}: no permission to write in ${dir}`,
      'point --out at a writable location, or fix the directory permissions',
      { cause },
    );
  }
}

/**
 * Writes the manifest unless the file already holds exactly this text. True when it wrote.
 * Throws {@link CompilerConfigError} naming the path when it cannot be written.
 */
export function writeManifest(file: string, manifest: ToolManifest): boolean {
  const text = serializeManifest(manifest);
  if (readText(file) === text) return false;
  const temp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(temp, text);
    fs.renameSync(temp, file);
  } catch (cause) {
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // the temp file was never created
    }
    checkManifestPath(file, { write: true });
    throw new CompilerConfigError(
      `cannot write the manifest ${file}: ${(cause as Error).message}`,
      'point --out at a writable file path',
      { cause },
    );
  }
  return true;
}

/** The manifest at `file`, or undefined when there is none (or it is not JSON). */
export function readManifest(file: string): ToolManifest | undefined {
  const text = readText(file);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as ToolManifest;
  } catch {
    return undefined;
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}
