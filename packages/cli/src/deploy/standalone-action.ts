import { type Command, CommanderError } from 'commander';
import { type CliState, type CommandContext, action } from '../command-context';
import { EXIT } from '../exit-codes';
import type { CliIo } from '../output';

/**
 * `action` for a command registered with or without the program's {@link CliState}. With it, the
 * command's exit code is the program's. Without it (`registerInitCommand(program)`), output goes
 * where the program writes its own (`configureOutput`), and a failure, already reported, ends the
 * parse with a CommanderError so `runCli` exits non-zero (2: its code for a CommanderError).
 */
export function standaloneAction<A extends unknown[]>(
  program: Command,
  state: CliState | undefined,
  work: (ctx: CommandContext, ...args: A) => Promise<number>,
): (...args: unknown[]) => Promise<void> {
  if (state) return action(state, work);
  return async (...args: unknown[]) => {
    const own: CliState = { io: programIo(program), exitCode: EXIT.ok };
    await action(own, work)(...args);
    if (own.exitCode !== EXIT.ok)
      throw new CommanderError(own.exitCode, 'kestrion.commandFailed', 'the command failed (reported above)');
  };
}

function programIo(program: Command): CliIo {
  const output = program.configureOutput();
  const write = (fn: ((s: string) => void) | undefined, fallback: NodeJS.WriteStream) => ({
    write: (s: string) => (fn ? fn(s) : fallback.write(s)),
  });
  return {
    stdout: write(output.writeOut, process.stdout),
    stderr: write(output.writeErr, process.stderr),
    env: process.env,
  };
}
