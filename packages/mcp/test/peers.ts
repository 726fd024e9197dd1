import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { McpServerConfig } from '@kestrion/mcp';

/** The repository root, where node_modules/.bin holds the reference servers. */
export const ROOT = join(__dirname, '..', '..', '..');
export const BIN = join(ROOT, 'node_modules', '.bin');

/** The versions of the peers these tests run against, as installed. */
export function peerVersion(pkg: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(join(ROOT, 'node_modules', pkg, 'package.json')) as { version: string }).version;
}

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `kestrion-mcp-${label}-`));
}

/** @modelcontextprotocol/server-filesystem over stdio, allowed `dir` only. */
export function filesystemServer(dir: string, extra: Partial<McpServerConfig> = {}): McpServerConfig {
  return {
    command: join(BIN, 'mcp-server-filesystem'),
    args: [dir],
    stderr: 'ignore',
    ...extra,
  } as McpServerConfig;
}

/** @modelcontextprotocol/server-memory over stdio, its graph in `file`. */
export function memoryServer(file: string, extra: Partial<McpServerConfig> = {}): McpServerConfig {
  return {
    command: join(BIN, 'mcp-server-memory'),
    env: { MEMORY_FILE_PATH: file },
    stderr: 'ignore',
    ...extra,
  } as McpServerConfig;
}

/** @modelcontextprotocol/server-everything over stdio. */
export function everythingServer(extra: Partial<McpServerConfig> = {}): McpServerConfig {
  return {
    command: join(BIN, 'mcp-server-everything'),
    args: ['stdio'],
    stderr: 'ignore',
    ...extra,
  } as McpServerConfig;
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * server-everything over HTTP (`streamableHttp` or `sse`) as a child process on `port`, resolved
 * once it says it listens. It binds every interface: these tests only ever reach it on loopback.
 */
export async function startEverythingHttp(
  mode: 'streamableHttp' | 'sse',
  port: number,
): Promise<ChildProcess> {
  const child = spawn(join(BIN, 'mcp-server-everything'), [mode], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (/listening on port|running on port/i.test(err)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`server-everything ${mode} exited ${code}: ${err}`)));
  });
  return child;
}

/** Kills a child process and waits until it is gone. */
export async function kill(
  child: ChildProcess | undefined,
  signal: NodeJS.Signals = 'SIGKILL',
): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await gone;
}

/** Polls `check` every 20 ms until it is true (or fails after `ms`). */
export async function until(check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
