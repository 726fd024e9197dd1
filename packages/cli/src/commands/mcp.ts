import { ConfigurationError, UsageError } from '@kestrion/core';
import { type McpIdentity, loadTokensFile, serveAgent } from '@kestrion/mcp';
import { type Command, CommanderError } from 'commander';
import {
  type CliState,
  CommandContext,
  type CommonOptions,
  action,
  common,
  reportError,
} from '../command-context';
import { EXIT } from '../exit-codes';
import { processIo } from '../output';

interface ServeOptions extends CommonOptions {
  export?: string;
  http?: string;
  host?: string;
  path?: string;
  tokens?: string;
  identity?: string;
  role?: string[];
}

const EXAMPLES = [
  'kestrion mcp serve ./ops-agent.ts',
  'kestrion mcp serve ./ops-agent.ts --http 8765 --tokens ./tokens.json',
];

const TOKENS_HELP = `
Over --http every request needs "Authorization: Bearer <token>"; --tokens names a JSON file
mapping each token (16 characters or more) to who it is and the roles it approves with:
  { "<token>": { "identity": "alice", "roles": ["sre"] } }
The identity of the token, never a tool argument, is recorded as the approver (by).
Over stdio the approver is --identity (default local:<os user>) with --role.
Runs until interrupted (SIGINT, SIGTERM) or, over stdio, until the client closes stdin.`;

/**
 * Registers `kestrion mcp serve <agent-module>`: the module's Agent as an MCP server, over stdio
 * (default) or Streamable HTTP (`--http <port> --tokens <file>`). See docs/mcp.md.
 *
 * `state`, when the program passes it, receives the exit code as every other command's does;
 * without it, a failure is reported here and ends the command through commander (exit code 2).
 */
export function registerMcpCommand(program: Command, state?: CliState): void {
  const mcp = program.command('mcp').description('Model Context Protocol: serve an agent as an MCP server');
  const serve = common(
    mcp
      .command('serve')
      .description(
        'serve the Agent a module exports as an MCP server (stdio, or Streamable HTTP with --http)',
      )
      .argument('<agent-module>', 'the module exporting the Agent (.ts or .js)')
      .option('--export <name>', 'the export that holds the Agent (default: the default export)')
      .option('--http <port>', 'serve Streamable HTTP on this port (0: any free port) instead of stdio')
      .option('--host <host>', 'the interface to bind with --http', '127.0.0.1')
      .option('--path <path>', 'the endpoint path with --http', '/mcp')
      .option('--tokens <file>', 'JSON file of bearer tokens -> { identity, roles } (required with --http)')
      .option('--identity <name>', 'over stdio: who decides approvals (default local:<os user>)')
      .option('--role <role>', 'over stdio: a role --identity approves with (repeatable)', collect, [])
      .addHelpText('after', TOKENS_HELP),
    EXAMPLES,
  );
  if (state)
    serve.action(action(state, (ctx, module: string, opts: ServeOptions) => runServe(ctx, module, opts)));
  else
    serve.action(async (module: string, opts: ServeOptions) => {
      const ctx = new CommandContext(processIo(), opts);
      let code: number;
      try {
        code = await runServe(ctx, module, opts);
      } catch (error) {
        code = reportError(ctx, error);
      } finally {
        await ctx.close();
      }
      if (code !== EXIT.ok) throw new CommanderError(code, 'kestrion.mcp.serve', '');
    });
}

async function runServe(ctx: CommandContext, module: string, opts: ServeOptions): Promise<number> {
  if (opts.http === undefined && opts.tokens !== undefined)
    throw new UsageError('--tokens is for --http; over stdio the approver is --identity');
  const agent = await ctx.loadAgent(module, opts.export);
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  if (opts.http !== undefined) {
    const port = Number(opts.http);
    if (!Number.isInteger(port) || port < 0 || port > 65_535)
      throw new UsageError(`--http ${opts.http} is not a port (0-65535)`);
    if (opts.tokens === undefined)
      throw new ConfigurationError(
        'serving over --http needs --tokens <file>: every request must carry a bearer token naming who decides',
      );
    const served = await serveAgent(agent, {
      transport: 'streamable-http',
      port,
      ...(opts.host !== undefined ? { host: opts.host } : {}),
      ...(opts.path !== undefined ? { path: opts.path } : {}),
      tokens: loadTokensFile(opts.tokens),
    });
    ctx.onClose(() => served.close());
    ctx.out.result({ agent: agent.name, url: served.url ?? null, port: served.port ?? null }, () => [
      `serving ${agent.name} over MCP Streamable HTTP at ${served.url} (Ctrl-C to stop)`,
    ]);
  } else {
    const identity: McpIdentity | undefined =
      opts.identity !== undefined ? { identity: opts.identity, roles: opts.role ?? [] } : undefined;
    // stdout carries the protocol now: nothing else may be written there.
    const served = await serveAgent(agent, { transport: 'stdio', ...(identity ? { identity } : {}) });
    ctx.onClose(() => served.close());
    ctx.out.progress(`serving ${agent.name} over MCP stdio`);
    process.stdin.once('end', stop);
    process.stdin.once('close', stop);
  }
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await stopped;
  return EXIT.ok;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
