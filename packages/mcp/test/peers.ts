import { mkdtempSync } from 'node:fs';
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
