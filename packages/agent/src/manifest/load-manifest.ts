import * as fs from 'node:fs';
import { ConfigurationError, type ToolManifest } from '@kestrion/core';
import { COMPILE_COMMAND } from './compile-command';

const cache = new Map<string, { mtimeMs: number; manifest: ToolManifest }>();

/**
 * Reads and checks a manifest file (cached until the file changes). Throws
 * {@link ConfigurationError} naming the compile command when the file is unreadable or is not
 * a version-1 manifest.
 */
export function loadManifest(file: string): ToolManifest {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (cause) {
    throw new ConfigurationError(`cannot read tool manifest ${file}; run \`${COMPILE_COMMAND}\``, { cause });
  }
  const hit = cache.get(file);
  if (hit !== undefined && hit.mtimeMs === stat.mtimeMs) return hit.manifest;
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new ConfigurationError(`tool manifest ${file} is not valid JSON; run \`${COMPILE_COMMAND}\``, {
      cause,
    });
  }
  const manifest = assertManifest(parsed, file);
  cache.set(file, { mtimeMs: stat.mtimeMs, manifest });
  return manifest;
}

/** Checks the outer shape of a manifest object (version and tools map). */
export function assertManifest(value: unknown, origin: string): ToolManifest {
  const candidate = value as Partial<ToolManifest> | null;
  if (typeof candidate !== 'object' || candidate === null || candidate.version !== 1)
    throw new ConfigurationError(
      `${origin} is not a version-1 Kestrion tool manifest; regenerate it with \`${COMPILE_COMMAND}\``,
    );
  if (typeof candidate.tools !== 'object' || candidate.tools === null || Array.isArray(candidate.tools))
    throw new ConfigurationError(
      `${origin} has no "tools" object; regenerate it with \`${COMPILE_COMMAND}\``,
    );
  return candidate as ToolManifest;
}
