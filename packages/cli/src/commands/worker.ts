import type { Command } from 'commander';
import { type CliState, action, common } from '../command-context';
import type { WorkerCommandOptions } from '../worker/run-worker';

/** `kestrion worker <module>...`: a Worker (@kestrion/scheduler) driving the modules' agents' runs. */
export function registerWorkerCommand(program: Command, state: CliState): void {
  common(
    program
      .command('worker')
      .description(
        'claim and drive runs of these agents from the store (submitted, decided, or orphaned by a dead process)',
      )
      .argument('<modules...>', 'modules each exporting an Agent (all on one store)')
      .option(
        '--export <name>',
        'the export that holds the Agent in every module (default: the default export)',
      )
      .option('--concurrency <n>', 'runs driven at once (default 16)')
      .option(
        '--concurrency-key-limit <n>',
        'at most this many runs per concurrency key at once, across workers',
      )
      .option(
        '--until-idle',
        'exit once nothing is claimable and nothing is running (0, or 1 if a drive threw)',
      )
      .option('--metrics-port <port>', 'serve /healthz, /readyz and Prometheus /metrics on this port')
      .option('--metrics-host <host>', 'interface for --metrics-port (default 0.0.0.0)')
      .option(
        '--otel <endpoint>',
        'export spans live, as each model call, tool call and wait ends (OTLP/HTTP)',
      )
      .option('--provider-name <name>', 'gen_ai.provider.name for the live spans (default unknown)')
      .option('--otel-content', 'include tool arguments and results in the live spans')
      .addHelpText(
        'after',
        '\nSIGTERM or SIGINT stops gracefully: no new claims, each run in flight finishes its step and hands its\n' +
          'lease back, exit 0. On PostgreSQL the worker also listens for runnable runs (LISTEN/NOTIFY).',
      ),
    [
      'kestrion worker ./ops-agent.ts ./billing-agent.ts --concurrency 32 --metrics-port 9464',
      'kestrion worker ./ops-agent.ts --until-idle',
    ],
  ).action(
    // The scheduler, prom-client and the OpenTelemetry SDK load only for this command.
    action(state, async (ctx, modules: string[], opts: WorkerCommandOptions) =>
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      (require('../worker/run-worker') as typeof import('../worker/run-worker')).runWorker(
        ctx,
        modules,
        opts,
      ),
    ),
  );
}
