import * as fs from 'node:fs';
import { ConfigurationError, type ToolManifest } from '@kestrion/core';
import { COMPILE_COMMAND } from './compile-command';
import { verifyManifest } from './verify-manifest';

const cache = new Map<string, { mtimeMs: number; size: number; manifest: ToolManifest }>();

/**
 * Reads and checks a manifest file (cached until the file changes). Throws
 * {@link ConfigurationError} naming the compile command when the file is unreadable or not
 * JSON, and the errors of {@link verifyManifest} (a subclass of ConfigurationError each) when
 * it is not a version-3 manifest, an entry does not match its hash, or a schema is invalid.
 */
export function loadManifest(file: string): ToolManifest {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (cause) {
    throw new ConfigurationError(`cannot read tool manifest ${file}; run \`${COMPILE_COMMAND}\``, { cause });
  }
  const hit = cache.get(file);
  if (hit !== undefined && hit.mtimeMs === stat.mtimeMs && hit.size === stat.size) return hit.manifest;
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new ConfigurationError(`tool manifest ${file} is not valid JSON; run \`${COMPILE_COMMAND}\``, {
      cause,
    });
  }
  const manifest = verifyManifest(parsed, file);
  cache.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, manifest });
  return manifest;
}

/** Checks a manifest object as {@link loadManifest} checks a file (see {@link verifyManifest}). */
export function assertManifest(value: unknown, origin: string): ToolManifest {
  return verifyManifest(value, origin);
}
