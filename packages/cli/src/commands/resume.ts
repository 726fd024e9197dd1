import type { Command } from 'commander';
import { type CliState, action, common } from '../command-context';
import { exitCodeForStatus } from '../exit-codes';
import { runViewLines } from '../render/run-view-text';

interface ResumeOptions {
  agent: string;
  export?: string;
}

/** `kestrion resume <runId> --agent <module>`: drives a run on from where its log says it is. */
export function registerResumeCommand(program: Command, state: CliState): void {
  common(
    program
      .command('resume')
      .description('drive a run on from where its log says it is, until it completes, fails or parks again')
      .argument('<runId>', 'the run')
      .requiredOption('--agent <module>', "the module exporting the run's Agent (its code drives the run)")
      .option('--export <name>', 'the export that holds the Agent (default: the default export)')
      .addHelpText(
        'after',
        '\nExit codes: 0 completed, 3 waiting on a person, 4 failed, 5 cancelled or expired, 1 error, 2 usage.',
      ),
    ['kestrion resume run_0193c1f2… --agent ./ops-agent.ts'],
  ).action(
    action(state, async (ctx, runId: string, opts: ResumeOptions) => {
      const agent = await ctx.loadAgent(opts.agent, opts.export);
      const run = await agent.resume(runId);
      ctx.out.result(run, () => runViewLines(ctx.out, run, { agentModule: opts.agent }));
      return exitCodeForStatus(run.status);
    }),
  );
}
