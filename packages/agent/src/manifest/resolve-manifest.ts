import * as fs from 'node:fs';
import type { ToolManifest } from '@kestrion/core';
import { findManifest } from './find-manifest';
import { assertManifest, loadManifest } from './load-manifest';
import { ManifestNotFoundError } from './manifest-errors';

/**
 * A manifest as `import manifest from './kestrion.manifest.json'` (or `require`) types it: JSON
 * modules widen `version: 3` to `number`, so the option accepts this shape and the runtime
 * checks the rest when it loads it.
 */
export interface ManifestJson {
  /** Checked at load: only the version this runtime reads is accepted. */
  readonly version: number;
  /** Checked at load: every entry's shape, hash and schemas. */
  readonly tools: object;
}

/** The `manifest` option: the manifest itself (a {@link ToolManifest} or imported JSON), or a path to it. */
export type ManifestSource = ToolManifest | ManifestJson | string;

/** A checked manifest and where it came from (a file path, or `the given manifest`). */
export interface ResolvedManifest {
  /** The manifest, checked by `verifyManifest`. */
  manifest: ToolManifest;
  /** The file it was read from, or `the given manifest`: error messages name it. */
  origin: string;
}

/**
 * The manifest an agent runs with: the object given, else the file {@link findManifest}
 * names, read and checked (see `verifyManifest`). Throws {@link ManifestNotFoundError} naming
 * the file and where its path came from when there is no such file.
 */
export function resolveManifest(
  source: ManifestSource | undefined,
  cwd: string = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): ResolvedManifest {
  if (typeof source === 'object')
    return { manifest: assertManifest(source, 'the given manifest'), origin: 'the given manifest' };
  const { file, from } = findManifest(source, cwd, env);
  if (!fs.existsSync(file)) throw new ManifestNotFoundError(file, from);
  return { manifest: loadManifest(file), origin: file };
}
