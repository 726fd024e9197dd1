import { RunNotFoundError, type StoredEvent, traceRun, UsageError } from '@kestrion/core';
import type { Command } from 'commander';
import { type CliState, action, common } from '../command-context';
import { EXIT } from '../exit-codes';
import { parseInteger } from '../parse-options';
import { traceLines } from '../render/trace-text';

interface TraceOptions {
  otel?: string;
  providerName?: string;
  otelContent?: boolean;
  width?: string;
}

/**
 * `kestrion trace <runId>`: the run's timeline from its log (each model call with model,
 * duration, tokens and cost; each tool call with arguments, result, approvals; each wait; the
 * totals). `--otel <endpoint>` also sends it as OpenTelemetry spans over OTLP/HTTP.
 */
export function registerTraceCommand(program: Command, state: CliState): void {
  common(
    program
      .command('trace')
      .description(
        "show a run's timeline: model calls (tokens, cost), tool calls (arguments, results, approvals), waits, totals",
      )
      .argument('<runId>', 'the run')
      .option('--width <n>', 'characters of tool arguments and results to show (0: all; default 100)')
      .option(
        '--otel <endpoint>',
        'also export the run as OpenTelemetry spans to this OTLP/HTTP endpoint (e.g. http://localhost:4318)',
      )
      .option(
        '--provider-name <name>',
        'gen_ai.provider.name of the model calls (the log does not record it; default unknown)',
      )
      .option(
        '--otel-content',
        'include tool arguments and results in the spans (off by default: they may hold secrets)',
      )
      .addHelpText(
        'after',
        '\nNeeds only the store. Spans follow the OpenTelemetry GenAI conventions (invoke_agent, chat, execute_tool), with\n' +
          'times from the log; exporting a run twice repeats the same span ids. See docs/cli.md.',
      ),
    [
      'kestrion trace run_0193c1f2…',
      'kestrion trace run_0193c1f2… --json | jq .totals',
      'kestrion trace run_0193c1f2… --otel http://localhost:4318 --provider-name anthropic',
    ],
  ).action(
    action(state, async (ctx, runId: string, opts: TraceOptions) => {
      const width = opts.width === undefined ? 100 : parseInteger(opts.width, '--width', 0);
      const endpoint = opts.otel === undefined ? undefined : checkedEndpoint(opts.otel);
      const store = await ctx.openStore();
      const events: StoredEvent[] = [];
      for await (const e of store.readEvents(runId)) events.push(e);
      if (events.length === 0) throw new RunNotFoundError(runId);
      const t = traceRun(events);
      let otel: { endpoint: string; spans: number } | undefined;
      if (endpoint !== undefined) {
        // Loaded only for --otel: the OpenTelemetry SDK is a third of the CLI's start-up otherwise.
        /* eslint-disable @typescript-eslint/no-require-imports */
        const { runSpans } = require('../otel/run-spans') as typeof import('../otel/run-spans');
        const { SpanSink, tracesUrl } =
          require('../otel/span-export') as typeof import('../otel/span-export');
        /* eslint-enable @typescript-eslint/no-require-imports */
        const spans = runSpans(t, {
          ...(opts.providerName !== undefined ? { providerName: opts.providerName } : {}),
          includeContent: opts.otelContent === true,
        });
        const sink = new SpanSink({ endpoint });
        try {
          sink.emit(spans, Date.parse((events[events.length - 1] as StoredEvent).at));
          await sink.flush();
        } finally {
          await sink.shutdown();
        }
        otel = { endpoint: tracesUrl(endpoint), spans: spans.length };
        ctx.out.progress(`exported ${spans.length} spans to ${otel.endpoint}`);
      }
      ctx.out.result({ ...t, ...(otel ? { otel } : {}) }, () => traceLines(ctx.out, t, { width }));
      return EXIT.ok;
    }),
  );
}

function checkedEndpoint(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    url = new URL('invalid:');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(
      `--otel takes an http(s) URL of an OTLP/HTTP endpoint (got ${JSON.stringify(value)}), e.g. http://localhost:4318`,
    );
  }
  return value;
}
