import type { Command } from 'commander';
import { type CliState, action, common } from '../command-context';
import { EXIT } from '../exit-codes';
import { runViewLines } from '../render/run-view-text';
import { storeEngine } from '../store-engine';

/** `kestrion show <runId>`: a run's status, pending approvals (tool, args, roles, deadline) and totals. */
export function registerShowCommand(program: Command, state: CliState): void {
  common(
    program
      .command('show')
      .description(
        'show a run: status, pending approvals (tool, arguments, roles, deadline), output or error, totals',
      )
      .argument('<runId>', 'the run')
      .addHelpText('after', "\nNeeds only the store. Exits 0 whatever the run's status (--json has it)."),
    ['kestrion show run_0193c1f2…', 'kestrion show run_0193c1f2… --json | jq .pending'],
  ).action(
    action(state, async (ctx, runId: string) => {
      const view = await storeEngine(await ctx.openStore()).get(runId);
      ctx.out.result(view, () => runViewLines(ctx.out, view));
      return EXIT.ok;
    }),
  );
}
