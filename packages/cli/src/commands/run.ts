import type { Command } from 'commander';
import { type CliState, action, common } from '../command-context';
import { exitCodeForStatus } from '../exit-codes';
import { collect, parseMetadata } from '../parse-options';
import { runViewLines } from '../render/run-view-text';

interface RunOptions {
  export?: string;
  meta?: string[];
}

/** `kestrion run <module> "<input>"`: starts a run and drives it until it ends or parks. */
export function registerRunCommand(program: Command, state: CliState): void {
  common(
    program
      .command('run')
      .description("start a run of the module's Agent and drive it here until it completes, fails or parks")
      .argument('<module>', 'a .ts or .js file exporting an Agent (default export, or --export)')
      .argument('<input>', 'the task for the agent')
      .option('--export <name>', 'the export that holds the Agent (default: the default export)')
      .option(
        '--meta <key=value>',
        'labels to list the run by (kestrion runs lists them) (repeatable)',
        collect,
      )
      .addHelpText(
        'after',
        '\nExit codes: 0 completed, 3 waiting on a person (approve, then resume), 4 failed, 5 cancelled or expired, 1 error, 2 usage.',
      ),
    ['kestrion run ./ops-agent.ts "Scale checkout-api to 3 replicas" --store sqlite://ops.db'],
  ).action(
    action(state, async (ctx, modulePath: string, input: string, opts: RunOptions) => {
      const metadata = parseMetadata(opts.meta);
      const agent = await ctx.loadAgent(modulePath, opts.export);
      ctx.out.progress(ctx.out.style('dim', `running ${agent.name} on ${ctx.store.url}…`));
      const run = await agent.run(input, metadata ? { metadata } : {});
      ctx.out.result(run, () => runViewLines(ctx.out, run, { agentModule: modulePath }));
      return exitCodeForStatus(run.status);
    }),
  );
}
