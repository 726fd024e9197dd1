import type { Command } from 'commander';

/**
 * Registers `kestrion mcp`. Placeholder: the MCP commands are built in their own change and
 * replace this file; until then no `mcp` command is registered.
 */
export function registerMcpCommand(_program: Command): void {}
