import type { Command } from 'commander';
import { type CliState, action, common } from '../command-context';
import { EXIT } from '../exit-codes';
import { runViewLines } from '../render/run-view-text';

interface CancelOptions {
  agent: string;
  export?: string;
  as: string;
  reason?: string;
}

/**
 * `kestrion cancel <runId> --as <user>`: a parked or orphaned run is cancelled at once (its
 * Agent drives the cancellation here); a run driven elsewhere stops at its next step.
 */
export function registerCancelCommand(program: Command, state: CliState): void {
  common(
    program
      .command('cancel')
      .description(
        'cancel a run: at once when parked or orphaned, at the next step when another process drives it',
      )
      .argument('<runId>', 'the run')
      .requiredOption('--agent <module>', "the module exporting the run's Agent (it drives the cancellation)")
      .option('--export <name>', 'the export that holds the Agent (default: the default export)')
      .requiredOption('--as <user>', 'who cancels (recorded in the log)')
      .option('--reason <text>', 'why (recorded)'),
    ['kestrion cancel run_0193c1f2… --agent ./ops-agent.ts --as alice --reason "wrong cluster"'],
  ).action(
    action(state, async (ctx, runId: string, opts: CancelOptions) => {
      const agent = await ctx.loadAgent(opts.agent, opts.export);
      const run = await agent.cancel(runId, opts.as, opts.reason);
      const note =
        run.status === 'cancelled'
          ? `cancelled by ${opts.as}`
          : `cancel requested by ${opts.as}; the process driving it stops at its next step`;
      ctx.out.result(run, () => [note, ...runViewLines(ctx.out, run)]);
      return EXIT.ok;
    }),
  );
}
