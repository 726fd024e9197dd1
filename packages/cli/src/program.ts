import { Command, CommanderError } from 'commander';
import type { CliState } from './command-context';
import { registerApproveCommand } from './commands/approve';
import { registerCancelCommand } from './commands/cancel';
import { registerCompileCommand } from './commands/compile';
import { registerDeployCommand } from './commands/deploy';
import { registerForkCommand } from './commands/fork';
import { registerInitCommand } from './commands/init';
import { registerMcpCommand } from './commands/mcp';
import { registerMigrateCommand } from './commands/migrate';
import { registerRejectCommand } from './commands/reject';
import { registerReplayCommand } from './commands/replay';
import { registerResumeCommand } from './commands/resume';
import { registerRunCommand } from './commands/run';
import { registerRunsCommand } from './commands/runs';
import { registerShowCommand } from './commands/show';
import { registerSubmitCommand } from './commands/submit';
import { registerTraceCommand } from './commands/trace';
import { registerWorkerCommand } from './commands/worker';
import { EXIT } from './exit-codes';
import { type CliIo, processIo } from './output';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- package.json is not a module
const VERSION: string = (require('../package.json') as { version: string }).version;

const EXIT_CODES_HELP = `
Exit codes:
  0  done (a run it drove completed)
  1  error (store, unknown run, refused decision, failing module)
  2  usage (unknown command or flag, bad value, no Agent exported)
  3  the run is waiting on a person (approve or reject, then resume)
  4  the run failed
  5  the run was cancelled or expired

Store: --store <url>, else $KESTRION_STORE, else ./kestrion.db (sqlite://file.db or postgres://...).
Docs: docs/cli.md`;

/**
 * The `kestrion` program: every command, each with `--store`, `--json` and an example under
 * `--help`. Commander's own errors (unknown command, missing argument) exit 2.
 */
export function buildProgram(state: CliState): Command {
  const program = new Command('kestrion')
    .description(
      'Durable AI agents from an append-only event log: run, approve, resume, inspect, trace, work.',
    )
    .version(VERSION, '-v, --version')
    .showSuggestionAfterError(true)
    .addHelpText('after', EXIT_CODES_HELP);
  program.exitOverride();
  program.configureOutput({
    writeOut: (s) => state.io.stdout.write(s),
    writeErr: (s) => state.io.stderr.write(s),
  });
  registerInitCommand(program, state);
  registerCompileCommand(program, state);
  registerMigrateCommand(program, state);
  registerRunCommand(program, state);
  registerSubmitCommand(program, state);
  registerResumeCommand(program, state);
  registerApproveCommand(program, state);
  registerRejectCommand(program, state);
  registerCancelCommand(program, state);
  registerForkCommand(program, state);
  registerReplayCommand(program, state);
  registerRunsCommand(program, state);
  registerShowCommand(program, state);
  registerTraceCommand(program, state);
  registerWorkerCommand(program, state);
  registerMcpCommand(program, state);
  registerDeployCommand(program, state);
  // Subcommands report parse errors through exitOverride too (they inherit it when added after).
  for (const c of program.commands)
    c.exitOverride().configureOutput({
      writeOut: (s) => state.io.stdout.write(s),
      writeErr: (s) => state.io.stderr.write(s),
    });
  return program;
}

/**
 * Runs `kestrion` with `argv` (without node and the script) and resolves with the exit code:
 * 0 done, 1 error, 2 usage, 3 waiting on a person, 4 failed, 5 cancelled or expired.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const state: CliState = { io, exitCode: EXIT.ok };
  const program = buildProgram(state);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // --help and --version end here with 0; anything else is a usage error.
    if (
      error.exitCode === 0 ||
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version'
    )
      return EXIT.ok;
    if (argv.includes('--json'))
      io.stdout.write(
        `${JSON.stringify({ error: { code: 'usage', message: error.message.replace(/^error: /, '') }, exitCode: EXIT.usage }, null, 2)}\n`,
      );
    return EXIT.usage;
  }
  return state.exitCode;
}
