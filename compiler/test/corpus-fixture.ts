import * as fs from 'node:fs';
import * as path from 'node:path';

/** The corpus project: 40+ tools across several agent classes and files. */
export const CORPUS_DIR = path.join(__dirname, 'fixtures', 'corpus');
export const CORPUS_TSCONFIG = path.join(CORPUS_DIR, 'tsconfig.json');
export const GOLDEN_FILE = path.join(CORPUS_DIR, 'kestrion.manifest.golden.json');

/** Per tool: the exact required set, argument objects that must pass and ones that must fail. */
export interface ToolSamples {
  required: string[];
  valid: Record<string, unknown>[];
  invalid: Record<string, unknown>[];
}

export function readSamples(): Record<string, ToolSamples> {
  return JSON.parse(fs.readFileSync(path.join(CORPUS_DIR, 'samples.json'), 'utf8')) as Record<
    string,
    ToolSamples
  >;
}
