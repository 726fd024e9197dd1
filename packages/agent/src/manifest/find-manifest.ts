import * as path from 'node:path';
import { MANIFEST_ENV_VAR, MANIFEST_FILE_NAME } from './compile-command';

/** Where the manifest file is expected, and which setting said so (for the error message). */
export interface ManifestLocation {
  /** Absolute path; it may not exist. */
  file: string;
  /** Which setting gave the path: the error message names it, so the user knows what to change. */
  from: 'the manifest option' | '$KESTRION_MANIFEST' | 'the working directory';
}

/**
 * Where the manifest file is: `explicitPath` if given, else `$KESTRION_MANIFEST`, else
 * `kestrion.manifest.json` in `cwd`; relative paths resolve against `cwd`.
 *
 * Nothing is searched for. Earlier versions walked up from the module that declared the agent
 * class, found from a stack trace; that broke in bundles (no module paths) and under source
 * maps (jest, tsx, `--enable-source-maps`: the frames name the library's own sources, so the
 * search started inside `@kestrion/agent`). A deployed bundle should pass the manifest itself.
 */
export function findManifest(
  explicitPath: string | undefined,
  cwd: string = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): ManifestLocation {
  if (explicitPath !== undefined && explicitPath !== '')
    return { file: path.resolve(cwd, explicitPath), from: 'the manifest option' };
  const fromEnv = env[MANIFEST_ENV_VAR];
  if (fromEnv !== undefined && fromEnv !== '')
    return { file: path.resolve(cwd, fromEnv), from: '$KESTRION_MANIFEST' };
  return { file: path.resolve(cwd, MANIFEST_FILE_NAME), from: 'the working directory' };
}
