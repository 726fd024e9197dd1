import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ToolManifest } from './json-types';

/** The file name the compiler writes by default, beside the tsconfig. */
export const DEFAULT_MANIFEST_NAME = 'kestrion.manifest.json';

/** The manifest as written to disk: two-space JSON with a final newline. */
export function serializeManifest(manifest: ToolManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** Writes the manifest unless the file already holds exactly this text. True when it wrote. */
export function writeManifest(file: string, manifest: ToolManifest): boolean {
  const text = serializeManifest(manifest);
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) return false;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text);
  fs.renameSync(temp, file);
  return true;
}

/** The manifest at `file`, or undefined when there is none (or it is not JSON). */
export function readManifest(file: string): ToolManifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as ToolManifest;
  } catch {
    return undefined;
  }
}
