import type { Agent } from '@kestrion/agent';
import type { Store } from '@kestrion/core';
import type { Command } from 'commander';
import { EXIT, exitCodeForError, kestrionCodeOf } from './exit-codes';
import { loadAgent } from './load-agent';
import { type CliIo, Output } from './output';
import { chooseStore, openExistingStore, type StoreChoice } from './store-url';

/** The options every command takes. */
export interface CommonOptions {
  store?: string;
  json?: boolean;
}

/** What a command's action is handed: where to print, which store, and resources to close. */
export class CommandContext {
  readonly out: Output;
  readonly store: StoreChoice;
  private readonly closers: (() => Promise<void>)[] = [];

  constructor(
    readonly io: CliIo,
    options: CommonOptions,
  ) {
    this.out = new Output(io, options.json === true);
    this.store = chooseStore(options.store, io.env);
  }

  /** The chosen store, which must exist (commands that read or decide without driving). */
  async openStore(): Promise<Store> {
    const store = await openExistingStore(this.store);
    this.closers.push(() => store.close());
    return store;
  }

  /**
   * The Agent a module exports. `KESTRION_STORE` is set to the chosen store before the module
   * loads, so a module that builds its Agent with `store: process.env.KESTRION_STORE` follows
   * `--store`; a module that hard-codes its store keeps it (docs/cli.md).
   */
  async loadAgent(modulePath: string, exportName: string | undefined): Promise<Agent> {
    this.io.env.KESTRION_STORE = this.store.url;
    if (this.io.env !== process.env) process.env.KESTRION_STORE = this.store.url;
    const { agent } = await loadAgent(modulePath, exportName);
    this.closers.push(() => agent.close());
    return agent;
  }

  onClose(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  async close(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close().catch(() => undefined);
  }
}

/** How the CLI tells the user what went wrong and what to do. */
export function reportError(ctx: CommandContext, error: unknown): number {
  const exitCode = exitCodeForError(error);
  const known = kestrionCodeOf(error);
  const code = known ?? 'error';
  let message = error instanceof Error ? error.message : String(error);
  if (known === undefined && error instanceof Error && error.name !== 'Error')
    message = `${error.name}: ${message}`;
  const fix = fixFor(ctx, error);
  ctx.out.error(message, { code, exitCode, ...(fix !== undefined ? { fix } : {}) });
  if (ctx.io.env.KESTRION_DEBUG && error instanceof Error && error.stack)
    ctx.io.stderr.write(`${error.stack}\n`);
  return exitCode;
}

function fixFor(ctx: CommandContext, error: unknown): string | undefined {
  const code = kestrionCodeOf(error);
  if (code === 'run_not_found')
    return `check the run id with \`kestrion runs\`; the store searched was ${ctx.store.url} (from ${ctx.store.source}): pass --store or set KESTRION_STORE if the run lives elsewhere`;
  if (code === 'approval_mismatch' && /role/i.test((error as Error).message))
    return 'approve with the role the chain needs next (`kestrion show <runId>` lists it): --role <role>';
  return undefined;
}

/** Registers the options every command takes, and an example under its --help. */
export function common(cmd: Command, examples: readonly string[]): Command {
  return cmd
    .option('--store <url>', 'the store (default: $KESTRION_STORE, else ./kestrion.db)')
    .option('--json', 'print exactly one JSON document on stdout')
    .addHelpText(
      'after',
      `\nExample${examples.length > 1 ? 's' : ''}:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`,
    );
}

/** The shared state of one CLI invocation: the exit code its command set. */
export interface CliState {
  io: CliIo;
  exitCode: number;
}

/**
 * Wraps a command's work: builds its context from the parsed options, runs it, reports an error
 * with its exit code, and closes whatever the command opened.
 */
export function action<A extends unknown[]>(
  state: CliState,
  work: (ctx: CommandContext, ...args: A) => Promise<number>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const ctx = new CommandContext(state.io, command.opts<CommonOptions>());
    try {
      state.exitCode = await work(ctx, ...(args.slice(0, -1) as A));
    } catch (error) {
      state.exitCode = reportError(ctx, error);
    } finally {
      await ctx.close();
    }
    if (state.exitCode === undefined) state.exitCode = EXIT.ok;
  };
}
