import * as fs from 'node:fs';
import * as path from 'node:path';
import { MANIFEST_ENV_VAR, MANIFEST_FILE_NAME } from './compile-command';

/** Where a manifest was looked for, and where it was found (if anywhere). */
export interface ManifestSearch {
  found?: string;
  /** Every directory or file that was tried, for the error message. */
  tried: string[];
}

/**
 * Finds the manifest file: `explicitPath` if given, else `$KESTRION_MANIFEST`, else the first
 * `kestrion.manifest.json` met walking up from each of `startDirs` (the decorated classes' module
 * directories, so compiled code finds the manifest beside or above `dist/`), then from `cwd`.
 */
export function findManifest(
  explicitPath: string | undefined,
  startDirs: readonly string[],
  cwd: string = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): ManifestSearch {
  const direct = explicitPath ?? env[MANIFEST_ENV_VAR];
  if (direct !== undefined && direct !== '') {
    const file = path.resolve(cwd, direct);
    return fs.existsSync(file) ? { found: file, tried: [file] } : { tried: [file] };
  }
  const tried: string[] = [];
  for (const start of [...startDirs, cwd]) {
    let dir = path.resolve(start);
    for (;;) {
      const candidate = path.join(dir, MANIFEST_FILE_NAME);
      if (!tried.includes(candidate)) {
        tried.push(candidate);
        if (fs.existsSync(candidate)) return { found: candidate, tried };
      }
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return { tried };
}
