import type { Command } from 'commander';
import { type CliState, action, common } from '../command-context';
import { EXIT } from '../exit-codes';
import { parseInteger } from '../parse-options';
import { runViewLines } from '../render/run-view-text';
import { storeEngine } from '../store-engine';

interface ForkOptions {
  at: string;
  runId?: string;
}

/** `kestrion fork <runId> --at <seq>`: a new run whose log starts with the source's first seq events. */
export function registerForkCommand(program: Command, state: CliState): void {
  common(
    program
      .command('fork')
      .description(
        "copy a run's first <seq> events into a new run (grants without an outcome are asked again)",
      )
      .argument('<runId>', 'the source run (left untouched)')
      .requiredOption(
        '--at <seq>',
        "how many events to copy (1..the run's event count; `kestrion trace --json` shows seqs)",
      )
      .option('--run-id <id>', "the new run's id (default: a new time-ordered id)")
      .addHelpText(
        'after',
        '\nNeeds only the store. Drive the fork with `kestrion resume <newRunId> --agent <module>`.',
      ),
    ['kestrion fork run_0193c1f2… --at 12'],
  ).action(
    action(state, async (ctx, runId: string, opts: ForkOptions) => {
      const atSeq = parseInteger(opts.at, '--at', 1);
      const engine = storeEngine(await ctx.openStore());
      const forked = await engine.fork(runId, atSeq, opts.runId !== undefined ? { runId: opts.runId } : {});
      const view = await engine.get(forked);
      ctx.out.result({ ...view, forkedFrom: runId, atSeq }, () => [
        `forked ${runId} at seq ${atSeq} into ${forked}`,
        ...runViewLines(ctx.out, view),
        '',
        ctx.out.style('dim', `next: kestrion resume ${forked} --agent <module>`),
      ]);
      return EXIT.ok;
    }),
  );
}
