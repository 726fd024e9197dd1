import type { ErrorInfo } from '../events/event-types';
import { KestrionError } from './kestrion-error';

/**
 * A call names a tool the graph does not have. The engine records it (`unknown_tool` in
 * `tool.failed`) rather than throwing, so a model can correct itself.
 */
export class UnknownToolError extends KestrionError {
  constructor(tool: string, known: string[]) {
    super(
      'unknown_tool',
      `no tool named ${JSON.stringify(tool)}; known tools: ${known.join(', ') || '(none)'}`,
    );
  }
}

/**
 * A tool failed with a failure already recorded: `replay` raises the recorded `tool.failed`
 * error again, and `toErrorInfo` records `recorded` unchanged (code and message as the log had
 * them, whatever code that was), so a replayed failure compares equal to the original.
 */
export class RecordedToolError extends KestrionError {
  constructor(readonly recorded: ErrorInfo) {
    super('tool_failed', recorded.message);
  }
}

/**
 * A call that was never executed (its batch ended another way). The engine records
 * `tool_not_run` in the result a node receives; this class gives the code a type.
 */
export class ToolNotRunError extends KestrionError {
  constructor(
    readonly callId: string,
    status: string,
  ) {
    super('tool_not_run', `call ended in status ${status}`);
  }
}

/**
 * A sub-agent called as a tool ended without an answer: its run (`runId`) failed, was cancelled
 * or expired. The calling run records it in `tool.failed` (code `sub_run_ended`).
 */
export class SubRunEndedError extends KestrionError {
  constructor(
    readonly agent: string,
    readonly runId: string,
    readonly status: string,
    detail?: string,
  ) {
    super('sub_run_ended', `sub-agent ${agent} (run ${runId}) ended ${status}${detail ? `: ${detail}` : ''}`);
  }
}
