/**
 * Who must approve a call before it runs: `true` (anyone allowed to approve), a role, a chain of
 * roles (every one must approve, in order), or a function of the arguments that returns one of
 * those (or `false` to let a harmless call through).
 */
export type ApprovalRequirement =
  | boolean
  | string
  | string[]
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- arguments are typed by the method, not here
  | ((args: any) => boolean | string | string[]);

/** Options of `@tool(...)`. Every field is optional. */
export interface ToolOptions {
  /** The name models see. Defaults to the method name; the compiler copies a literal here into the manifest. */
  name?: string;
  /** Overrides the JSDoc summary as the tool's description. */
  description?: string;
  /** Gate every call (or some calls) behind a human decision. Default: no approval. */
  requiresApproval?: ApprovalRequirement;
  /** A call may safely run twice with the same idempotency key; crash recovery then retries it. */
  idempotent?: boolean;
  /** Wall-clock limit for one call, in milliseconds. */
  timeoutMs?: number;
  /**
   * How long people have to decide a gated call, in milliseconds from its first request (needs
   * `requiresApproval`). Past it, the next resume acts per `onApprovalTimeout`.
   */
  approvalTimeoutMs?: number;
  /**
   * What a passed approval deadline means: `reject` (default: the refusal goes back to the
   * model as the call's result), `fail` (the run fails), `expire` (the run ends `expired`).
   */
  onApprovalTimeout?: 'reject' | 'fail' | 'expire';
  /** A rejection goes back to the model as the call's result (`return`, default) or fails the run (`fail`). */
  onReject?: 'return' | 'fail';
  /** Lets one person decide several steps of an approval chain (default false: each step needs another person). */
  allowSameApprover?: boolean;
}

/** Options of `@agent(...)`. */
export interface AgentOptions {
  /**
   * The agent's stable id: its name in runs and traces, and the key of its tools in the
   * manifest (`<name>.<method>`). Write it as a string literal so kestrion-compile can read it.
   * Defaults to the class name, which minifiers and bundlers rename (esbuild `--minify`
   * without `--keep-names`): set it for any code that is bundled.
   */
  name?: string;
  /** The system prompt. */
  instructions: string;
  /** A one-line description, used when the agent is offered as another agent's tool. */
  description?: string;
  /** Stop the run as failed after this many model turns. */
  maxTurns?: number;
  /** Stop the run as failed once its model cost passes this many US dollars. */
  maxCostUsd?: number;
}
