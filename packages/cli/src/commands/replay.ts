import type { Command } from 'commander';
import { type CliState, action, common } from '../command-context';
import { EXIT } from '../exit-codes';

interface ReplayOptions {
  agent: string;
  export?: string;
}

/**
 * `kestrion replay <runId> --agent <module>`: re-drives a recorded run against the module's
 * current code, model responses and tool results read from the log. Exit 0 when the code
 * decides as the log recorded, 1 at the first divergence.
 */
export function registerReplayCommand(program: Command, state: CliState): void {
  common(
    program
      .command('replay')
      .description(
        're-drive a recorded run against the current code (no model call, no tool side effect) and report the first divergence',
      )
      .argument('<runId>', 'the recorded run')
      .requiredOption('--agent <module>', 'the module exporting the Agent whose current code is checked')
      .option('--export <name>', 'the export that holds the Agent (default: the default export)')
      .addHelpText(
        'after',
        '\nExit codes: 0 the code decides as recorded, 1 it diverged (or an error), 2 usage.',
      ),
    ['kestrion replay run_0193c1f2… --agent ./ops-agent.ts'],
  ).action(
    action(state, async (ctx, runId: string, opts: ReplayOptions) => {
      const agent = await ctx.loadAgent(opts.agent, opts.export);
      const report = await agent.replay(runId);
      const d = report.divergence;
      ctx.out.result({ ...report, matches: d === undefined }, () =>
        d === undefined
          ? [`replay of ${runId}: ${report.compared} events compared, the code decides as recorded`]
          : [
              `replay of ${runId}: ${ctx.out.style('red', `diverged at seq ${d.seq}`)} (${report.compared} events compared)`,
              `  recorded: ${d.expected}`,
              `  now:      ${d.found}`,
            ],
      );
      return d === undefined ? EXIT.ok : EXIT.error;
    }),
  );
}
