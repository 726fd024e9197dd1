import type { Agent } from '@kestrion/agent';
import type { Engine, Lease, RunObserver, RunStatus } from '@kestrion/core';
import { startProbeServer, stopOnSignals, Worker } from '@kestrion/scheduler';
import { postgresWakeups } from '@kestrion/store';
import type { CommandContext } from '../command-context';
import { EXIT } from '../exit-codes';
import { LiveSpanExporter } from '../otel/live-span-exporter';
import { SpanSink } from '../otel/span-export';
import { parseInteger } from '../parse-options';
import { untilIdle } from './until-idle';

/** The options of `kestrion worker`. */
export interface WorkerCommandOptions {
  export?: string;
  concurrency?: string;
  concurrencyKeyLimit?: string;
  untilIdle?: boolean;
  metricsPort?: string;
  metricsHost?: string;
  otel?: string;
  providerName?: string;
  otelContent?: boolean;
}

type Outcome = RunStatus | 'waiting_for_quota' | 'error';

/**
 * Loads the modules' agents and drives their runs with a Worker until a signal stops it (exit
 * 0), or, with `--until-idle`, until nothing is claimable and nothing runs.
 */
export async function runWorker(
  ctx: CommandContext,
  modules: string[],
  opts: WorkerCommandOptions,
): Promise<number> {
  const concurrency =
    opts.concurrency === undefined ? undefined : parseInteger(opts.concurrency, '--concurrency', 1);
  const keyLimit =
    opts.concurrencyKeyLimit === undefined
      ? undefined
      : parseInteger(opts.concurrencyKeyLimit, '--concurrency-key-limit', 1);
  const metricsPort =
    opts.metricsPort === undefined ? undefined : parseInteger(opts.metricsPort, '--metrics-port', 0);
  const agents: Agent[] = [];
  for (const m of modules) agents.push(await ctx.loadAgent(m, opts.export));
  const engines = await Promise.all(agents.map((a) => a.engine()));
  const store = (engines[0] as Engine).store;
  const sink = opts.otel !== undefined ? new SpanSink({ endpoint: opts.otel }) : undefined;
  if (sink) ctx.onClose(() => sink.shutdown());
  const live = sink
    ? new LiveSpanExporter(
        sink,
        store,
        {
          ...(opts.providerName ? { providerName: opts.providerName } : {}),
          includeContent: opts.otelContent === true,
        },
        (e) => ctx.out.progress(`otel: ${e instanceof Error ? e.message : String(e)}`),
      )
    : undefined;
  const outcomes = new Map<Outcome, number>();
  const count = (o: Outcome) => outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
  const errors: { runId?: string; message: string }[] = [];
  const say = (line: string) => ctx.out.progress(line);

  const watched = engines.map((engine) => watchDrives(engine, live, say, count));
  const worker = new Worker({
    agents: watched,
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(keyLimit !== undefined ? { concurrencyKeyLimit: keyLimit } : {}),
    ...(ctx.store.url.startsWith('postgres') ? { wakeups: postgresWakeups(ctx.store.url) } : {}),
    onError: (error, runId) => {
      const message = error instanceof Error ? error.message : String(error);
      if (runId !== undefined) count('error');
      errors.push({ ...(runId !== undefined ? { runId } : {}), message });
      say(ctx.out.style('red', `${runId ? `${runId}: ` : ''}${message}`));
    },
  });
  const names = engines.map((e) => e.agent);
  const summary = () => ({
    agents: names,
    store: ctx.store.url,
    outcomes: Object.fromEntries(outcomes),
    errors,
  });
  stopOnSignals(worker, {
    onStopped: (report, signal) => {
      say(
        `${signal}: stopped (${report.settled} drive(s) settled${report.abandoned.length ? `, ${report.abandoned.length} left to their leases` : ''})`,
      );
      ctx.out.result({ ...summary(), stoppedBy: signal, ...report }, () => []);
    },
  });
  await worker.start();
  const probes =
    metricsPort !== undefined
      ? await startProbeServer(worker, {
          port: metricsPort,
          ...(opts.metricsHost ? { host: opts.metricsHost } : {}),
        })
      : undefined;
  if (probes) {
    ctx.onClose(() => new Promise((r) => probes.close(() => r())));
    const address = probes.address();
    say(`probes and metrics on port ${typeof address === 'object' && address ? address.port : metricsPort}`);
  }
  say(
    `worker ${worker.owner}: driving ${names.join(', ')} from ${ctx.store.url}${opts.untilIdle ? ' until idle' : ''}`,
  );
  if (!opts.untilIdle) {
    await new Promise<never>(() => undefined); // until a signal stops the worker and exits
  }
  await untilIdle(worker, store, names);
  const report = await worker.stop();
  const driven = [...outcomes.values()].reduce((a, b) => a + b, 0);
  ctx.out.result({ ...summary(), ...report }, () => [
    `idle: ${driven} drive(s)${driven ? ` (${[...outcomes].map(([k, v]) => `${v} ${k}`).join(', ')})` : ''}`,
  ]);
  return errors.length > 0 ? EXIT.error : EXIT.ok;
}

/** The engine as the worker sees it, with each drive reported (and watched by the live exporter). */
function watchDrives(
  engine: Engine,
  live: LiveSpanExporter | undefined,
  say: (line: string) => void,
  count: (o: Outcome) => void,
): Engine {
  const drive = async (lease: Lease, observer?: RunObserver, options?: Parameters<Engine['drive']>[2]) => {
    say(`▶ ${lease.runId} (${engine.agent})`);
    const watcher = live?.observe();
    const both: RunObserver | undefined =
      watcher && observer
        ? {
            onEvents: (e) => (observer.onEvents?.(e), watcher.onEvents?.(e)),
            ...(observer.onTextDelta ? { onTextDelta: observer.onTextDelta } : {}),
          }
        : (watcher ?? observer);
    try {
      const view = await engine.drive(lease, both, options);
      const outcome: Outcome = view.throttled ? 'waiting_for_quota' : view.status;
      count(outcome);
      say(
        `${outcome === 'completed' ? '✓' : '■'} ${lease.runId} ${outcome}${view.error ? `: ${view.error.message}` : ''}`,
      );
      return view;
    } finally {
      await watcher?.settle();
    }
  };
  return new Proxy(engine, {
    get(target, prop) {
      if (prop === 'drive') return drive;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
