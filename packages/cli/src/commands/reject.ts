import type { Command } from 'commander';
import { type CliState, action, common } from '../command-context';
import { EXIT } from '../exit-codes';
import { collect } from '../parse-options';
import { runViewLines } from '../render/run-view-text';
import { chooseRole } from './approve';

interface RejectOptions {
  agent: string;
  export?: string;
  as: string;
  role?: string[];
  call?: string;
  reason?: string;
}

/** `kestrion reject <runId> --as <user> [--reason text]`: refuses a pending call. */
export function registerRejectCommand(program: Command, state: CliState): void {
  common(
    program
      .command('reject')
      .description(
        'reject a call the run is waiting on; the reason goes back to the model (or fails the run)',
      )
      .argument('<runId>', 'the run')
      .requiredOption(
        '--agent <module>',
        "the module exporting the run's Agent (its policies say what a rejection does)",
      )
      .option('--export <name>', 'the export that holds the Agent (default: the default export)')
      .requiredOption('--as <user>', 'who rejects (recorded in the log)')
      .option('--role <role>', 'role(s) the rejecter holds (repeatable)', collect)
      .option('--call <callId>', 'which call (needed when several are pending)')
      .option('--reason <text>', 'why (recorded; shown to the model)')
      .addHelpText(
        'after',
        '\nIdentity: --as and --role are claims; whoever can reach the store can decide (docs/trust-model.md).',
      ),
    ['kestrion reject run_0193c1f2… --agent ./ops-agent.ts --as alice --reason "not during the freeze"'],
  ).action(
    action(state, async (ctx, runId: string, opts: RejectOptions) => {
      const agent = await ctx.loadAgent(opts.agent, opts.export);
      const role = await chooseRole(opts.role, () => agent.get(runId), opts.call);
      const run = await agent.reject(runId, {
        by: opts.as,
        ...(role !== undefined ? { role } : {}),
        ...(opts.call !== undefined ? { callId: opts.call } : {}),
        ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
      });
      ctx.out.result(run, () => [
        `rejected by ${opts.as}`,
        ...runViewLines(ctx.out, run, { agentModule: opts.agent }),
      ]);
      return EXIT.ok;
    }),
  );
}
