import type { Command } from 'commander';
import { type CliState, action, common } from '../command-context';
import { EXIT } from '../exit-codes';
import { collect, parseInteger, parseMetadata } from '../parse-options';

interface SubmitOptions {
  export?: string;
  priority?: string;
  concurrencyKey?: string;
  runId?: string;
  meta?: string[];
}

/** `kestrion submit <module> "<input>"`: records a run for a worker and returns its id at once. */
export function registerSubmitCommand(program: Command, state: CliState): void {
  common(
    program
      .command('submit')
      .description('record a run for a worker (kestrion worker) to drive, and print its id at once')
      .argument('<module>', 'a .ts or .js file exporting an Agent')
      .argument('<input>', 'the task for the agent')
      .option('--export <name>', 'the export that holds the Agent (default: the default export)')
      .option('--priority <n>', 'claim order: higher first (integer within ±1,000,000; default 0)')
      .option(
        '--concurrency-key <key>',
        "runs sharing a key are limited together by a worker's per-key limit",
      )
      .option('--run-id <id>', "the run's id (default: a new time-ordered id)")
      .option('--meta <key=value>', 'labels to list the run by (repeatable)', collect),
    ['kestrion submit ./ops-agent.ts "Rotate the logs" --priority 10 --concurrency-key acme'],
  ).action(
    action(state, async (ctx, modulePath: string, input: string, opts: SubmitOptions) => {
      const metadata = parseMetadata(opts.meta);
      const priority = opts.priority === undefined ? undefined : parseInteger(opts.priority, '--priority');
      const agent = await ctx.loadAgent(modulePath, opts.export);
      const runId = await agent.submit(input, {
        ...(priority !== undefined ? { priority } : {}),
        ...(opts.concurrencyKey !== undefined ? { concurrencyKey: opts.concurrencyKey } : {}),
        ...(opts.runId !== undefined ? { runId: opts.runId } : {}),
        ...(metadata ? { metadata } : {}),
      });
      ctx.out.result({ runId, agent: agent.name, status: 'pending' }, () => [
        `submitted ${runId} (agent ${agent.name}); a worker will drive it: kestrion worker ${modulePath}`,
      ]);
      return EXIT.ok;
    }),
  );
}
