import { KestrionError } from '../errors';

/** The code changed between park and resume: a different step sits at a recorded step key. */
export class StepMismatchError extends KestrionError {
  constructor(
    readonly runId: string,
    readonly stepKey: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(
      'step_mismatch',
      `run ${JSON.stringify(runId)} step ${stepKey}: the log recorded ${expected} but the code now asks for ${found}; the node's code changed since the run started — finish or fork old runs with the old code`,
    );
  }
}

export class ApprovalNotFoundError extends KestrionError {
  constructor(runId: string, detail: string) {
    super('approval_not_found', `run ${JSON.stringify(runId)}: ${detail}`);
  }
}

/** The decision does not match the call it claims to decide (tool, arguments, role). */
export class ApprovalMismatchError extends KestrionError {
  constructor(runId: string, callId: string, detail: string) {
    super('approval_mismatch', `run ${JSON.stringify(runId)} call ${callId}: ${detail}`);
  }
}

export class ApprovalAlreadyDecidedError extends KestrionError {
  constructor(runId: string, callId: string, status: string) {
    super(
      'approval_already_decided',
      `run ${JSON.stringify(runId)} call ${callId} was already decided (${status})`,
    );
  }
}

export class ApprovalExpiredError extends KestrionError {
  constructor(runId: string, callId: string, deadline: string) {
    super(
      'approval_expired',
      `run ${JSON.stringify(runId)} call ${callId}: the approval deadline ${deadline} has passed`,
    );
  }
}

/** An operation that needs the run in a particular state found it elsewhere. */
export class RunStateError extends KestrionError {
  constructor(runId: string, detail: string) {
    super('run_state', `run ${JSON.stringify(runId)}: ${detail}`);
  }
}

export class ToolTimeoutError extends KestrionError {
  constructor(tool: string, ms: number) {
    super('tool_timeout', `tool ${tool} did not finish within ${ms} ms`, { retryable: true });
  }
}

export class UnknownToolError extends KestrionError {
  constructor(tool: string, known: string[]) {
    super(
      'unknown_tool',
      `no tool named ${JSON.stringify(tool)}; known tools: ${known.join(', ') || '(none)'}`,
    );
  }
}

export class UnknownNodeError extends KestrionError {
  constructor(node: string, known: string[]) {
    super('configuration', `the graph has no node ${JSON.stringify(node)}; nodes: ${known.join(', ')}`);
  }
}
