import type { Command } from 'commander';
import { type CliState, action, common } from '../command-context';
import { EXIT } from '../exit-codes';
import { collect, parseJson } from '../parse-options';
import { runViewLines } from '../render/run-view-text';

interface ApproveOptions {
  agent: string;
  export?: string;
  as: string;
  role?: string[];
  call?: string;
  args?: string;
}

const TRUST =
  '\nIdentity: --as and --role are claims the CLI records as given. Whoever can reach the store can decide\n' +
  "(the operator holds the database credentials; see docs/trust-model.md). The run's Agent module is needed\n" +
  'because approval policies and argument validation live in its code.';

/**
 * `kestrion approve <runId> --as <user>`: grants a pending call. With several `--role`s, the
 * one the call's chain needs next is used; the engine refuses a role that is not it.
 */
export function registerApproveCommand(program: Command, state: CliState): void {
  common(
    program
      .command('approve')
      .description('approve a call the run is waiting on (the run is then resumed by `resume` or a worker)')
      .argument('<runId>', 'the run')
      .requiredOption(
        '--agent <module>',
        "the module exporting the run's Agent (its approval policies decide)",
      )
      .option('--export <name>', 'the export that holds the Agent (default: the default export)')
      .requiredOption('--as <user>', 'who approves (recorded in the log)')
      .option(
        '--role <role>',
        'role(s) the approver holds; the one the chain needs next is used (repeatable)',
        collect,
      )
      .option('--call <callId>', 'which call (needed when several are pending)')
      .option('--args <json>', 'approve edited arguments instead (JSON); recorded as an edit')
      .addHelpText('after', TRUST),
    [
      'kestrion approve run_0193c1f2… --agent ./ops-agent.ts --as alice',
      'kestrion approve run_0193c1f2… --agent ./ops-agent.ts --as bob --role sre --args \'{"replicas":2}\'',
    ],
  ).action(
    action(state, async (ctx, runId: string, opts: ApproveOptions) => {
      const edited = opts.args === undefined ? undefined : parseJson(opts.args, '--args');
      const agent = await ctx.loadAgent(opts.agent, opts.export);
      const role = await chooseRole(opts.role, () => agent.get(runId), opts.call);
      const run = await agent.approve(runId, {
        by: opts.as,
        ...(role !== undefined ? { role } : {}),
        ...(opts.call !== undefined ? { callId: opts.call } : {}),
        ...(edited !== undefined ? { args: edited } : {}),
      });
      ctx.out.result(run, () => [
        `approved by ${opts.as}${role ? ` as ${role}` : ''}`,
        ...runViewLines(ctx.out, run, { agentModule: opts.agent }),
        ...(run.pending.length === 0 && run.status !== 'completed'
          ? [
              '',
              ctx.out.style(
                'dim',
                `next: kestrion resume ${run.runId} --agent ${opts.agent}   (or let a worker pick it up)`,
              ),
            ]
          : []),
      ]);
      return EXIT.ok;
    }),
  );
}

/** Of the roles the approver holds, the one the call needs next (else the first, for the engine to judge). */
export async function chooseRole(
  held: string[] | undefined,
  view: () => Promise<{ pending: { callId: string; nextRole?: string }[] }>,
  callId: string | undefined,
): Promise<string | undefined> {
  if (!held || held.length === 0) return undefined;
  if (held.length === 1) return held[0];
  const pending = (await view()).pending;
  const call =
    callId === undefined
      ? pending.length === 1
        ? pending[0]
        : undefined
      : pending.find((p) => p.callId === callId);
  const next = call?.nextRole;
  return next !== undefined && held.includes(next) ? next : held[0];
}
