import { KestrionError } from './kestrion-error';

/**
 * The caller's setup is wrong; the message says what to change. Never retryable. Subclasses in
 * other packages (manifest, decorator and store URL errors, the compiler's `CompilerConfigError`)
 * keep the code `configuration`.
 */
export class ConfigurationError extends KestrionError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('configuration', message, options);
  }
}

/** A graph names a node it does not have (as its start, or as a node's `next`). */
export class UnknownNodeError extends ConfigurationError {
  constructor(node: string, known: string[]) {
    super(`the graph has no node ${JSON.stringify(node)}; nodes: ${known.join(', ')}`);
  }
}

/**
 * An API or command was used in a way it cannot work: a function's contract broken by its
 * caller (`projectRunRecord` with no events), flags that exclude each other. A programming or
 * usage mistake, never retryable; code `usage`.
 */
export class UsageError extends KestrionError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('usage', message, options);
  }
}

/**
 * `ScriptedProvider.assertConsumed()` (tests, demos) found scripted turns that no model call
 * requested: the code under test made fewer calls than the script expects.
 */
export class ScriptUnconsumedError extends KestrionError {
  constructor(readonly unused: number) {
    super('script_unconsumed', `ScriptedProvider: ${unused} scripted turn(s) were never requested`);
  }
}
