// kestrion — the CLI package. Its API is the command line (docs/cli.md); these exports are for
// embedding the program and for the OpenTelemetry span model a server will reuse.
export { runCli, buildProgram } from './program';
export type { CliIo } from './output';
export type { CliState } from './command-context';
export { EXIT, exitCodeForStatus, exitCodeForError } from './exit-codes';
export type { ExitCode } from './exit-codes';
export { loadAgent, isAgent } from './load-agent';
export type { LoadedAgent } from './load-agent';
export { chooseStore } from './store-url';
export type { StoreChoice, StoreSource } from './store-url';
export { runSpans, traceIdOf, spanIdOf } from './otel/run-spans';
export type { RunSpan, RunSpanOptions, SpanAttributeValue } from './otel/run-spans';
export { SpanSink, tracesUrl } from './otel/span-export';
export type { SpanSinkOptions } from './otel/span-export';
export { LiveSpanExporter } from './otel/live-span-exporter';
export type { LiveSpanObserver } from './otel/live-span-exporter';
