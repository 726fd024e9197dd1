import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

export const RESULTS_DIR = join(__dirname, '..', 'results');

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export { timeMs } from './engine/timing';

export function progress(msg: string): void {
  process.stderr.write(`  ${msg}\n`);
}

/** Runs a compiled bench child script and parses the JSON line it prints. */
/**
 * Runs a bench child and parses its last stdout line. Node flags go in `nodeFlags` only where a
 * measurement needs them: a V8 flag such as --expose-gc costs every process ~3 ms of start-up
 * (Node's built-in snapshot and code cache no longer apply), which is not what users run.
 */
export function runChild<T>(
  script: string,
  args: string[],
  nodeFlags: string[] = [],
): { result: T; wallMs: number } {
  const t0 = performance.now();
  const out = execFileSync(process.execPath, [...nodeFlags, script, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const wallMs = performance.now() - t0;
  const line = out.trim().split('\n').pop() ?? '{}';
  return { result: JSON.parse(line) as T, wallMs };
}

export function machineNote(): string {
  return `Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`;
}

export function writeReport(name: string, markdown: string): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${name}.md`), markdown);
  return markdown;
}

export const fmt = (n: number, digits = 2): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
