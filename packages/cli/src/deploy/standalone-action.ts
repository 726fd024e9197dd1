import { type Command, CommanderError } from 'commander';
import { type CliState, type CommandContext, action } from '../command-context';
import { EXIT } from '../exit-codes';
import type { CliIo } from '../output';

/**
 * `action` for a command registered with or without the program's {@link CliState}. With it, the
 * command's exit code is the program's. Without it (`registerInitCommand(program)`), output goes
 * where the program writes its own (`configureOutput`), and a failure, already reported on stderr,
 * ends the parse with a CommanderError carrying its message, so `runCli` exits non-zero (2, its
 * code for any CommanderError) and, with `--json`, prints the one JSON error document itself.
 */
export function standaloneAction<A extends unknown[]>(
  program: Command,
  state: CliState | undefined,
  work: (ctx: CommandContext, ...args: A) => Promise<number>,
): (...args: unknown[]) => Promise<void> {
  if (state) return action(state, work);
  return async (...args: unknown[]) => {
    const io = programIo(program);
    // stdout is held until the outcome is known: on failure it holds only our JSON error document,
    // which runCli would print a second time.
    let held = '';
    const own: CliState = { io: { ...io, stdout: { write: (s: string) => (held += s) } }, exitCode: EXIT.ok };
    await action(own, work)(...args);
    if (own.exitCode === EXIT.ok) {
      io.stdout.write(held);
      return;
    }
    throw new CommanderError(own.exitCode, 'kestrion.commandFailed', errorMessage(held));
  };
}

function errorMessage(heldStdout: string): string {
  try {
    const doc = JSON.parse(heldStdout) as { error?: { message?: string } };
    if (doc.error?.message) return doc.error.message;
  } catch {
    // human output: the message is on stderr already
  }
  return 'the command failed (reported above)';
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
