import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The committed bin shim: the tests run the built CLI as a user would. */
export const KESTRION_BIN = join(__dirname, '..', '..', 'bin', 'kestrion.js');
export const FIXTURES = join(__dirname, '..', 'fixtures');
export const OPS_AGENT = join(FIXTURES, 'ops-agent.ts');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `node bin/kestrion.js ...args` and collects its output and exit code. */
export function kestrion(
  args: readonly string[],
  env: Record<string, string> = {},
  cwd?: string,
): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KESTRION_BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      ...(cwd !== undefined ? { cwd } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started }));
  });
}

/** Parses stdout as exactly one JSON document (throws, with the output, when it is not). */
export function jsonOf<T = Record<string, unknown>>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch (error) {
    throw new Error(
      `stdout is not one JSON document (${(error as Error).message}):\n${r.stdout}\nstderr:\n${r.stderr}`,
    );
  }
}
