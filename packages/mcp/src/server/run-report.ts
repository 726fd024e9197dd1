import type { AgentRun } from '@kestrion/agent';
import { KestrionError, type JsonObject } from '@kestrion/core';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { COMPANION_TOOLS } from './agent-tools';

/** A run as a tool result: a sentence for people and models, and the same facts as structured content. */
export function runReport(run: AgentRun): CallToolResult {
  const structured: JsonObject = {
    runId: run.id,
    status: run.status,
    ...(run.waitingReason ? { waitingReason: run.waitingReason } : {}),
    ...(run.lastMessage !== undefined ? { lastMessage: run.lastMessage } : {}),
    ...(run.output !== undefined ? { output: run.output } : {}),
    ...(run.error ? { error: run.error } : {}),
    pending: run.pending.map((p) => ({
      callId: p.callId,
      tool: p.tool,
      args: p.args,
      argsHash: p.argsHash,
      requiredRoles: p.requiredRoles,
      approvedBy: p.approvedBy,
      ...(p.nextRole !== undefined ? { nextRole: p.nextRole } : {}),
      ...(p.reason !== undefined ? { reason: p.reason } : {}),
    })),
    unknownOutcomes: run.unknownOutcomes.map((u) => ({
      callId: u.callId,
      tool: u.tool,
      args: u.args,
      attempts: u.attempts,
      ...(u.reason !== undefined ? { reason: u.reason } : {}),
    })),
  };
  return {
    content: [{ type: 'text', text: sentence(run) }],
    structuredContent: structured,
    ...(run.status === 'failed' ? { isError: true } : {}),
  };
}

/** A failed tool call of this server: the error's code and message (and whether to try again). */
export function errorReport(error: unknown): CallToolResult {
  const e =
    error instanceof KestrionError
      ? { code: error.code, message: error.message, retryable: error.retryable }
      : { code: 'error', message: error instanceof Error ? error.message : String(error), retryable: false };
  return {
    isError: true,
    content: [{ type: 'text', text: `${e.code}: ${e.message}` }],
    structuredContent: { error: e },
  };
}

function sentence(run: AgentRun): string {
  switch (run.status) {
    case 'completed':
      return run.lastMessage ?? JSON.stringify(run.output ?? null);
    case 'failed':
      return `Run ${run.id} failed: ${run.error?.code ?? 'error'}: ${run.error?.message ?? '(no message)'}`;
    case 'waiting_on_human': {
      if (run.waitingReason === 'approval') {
        const calls = run.pending
          .map(
            (p) =>
              `${p.tool}(${JSON.stringify(p.args)}) [callId ${p.callId}, argsHash ${p.argsHash}${p.nextRole ? `, needs role ${p.nextRole}` : ''}]${p.reason ? ` (${p.reason})` : ''}`,
          )
          .join('; ');
        return `Run ${run.id} is waiting for approval of ${calls}. Call ${COMPANION_TOOLS.approve} or ${COMPANION_TOOLS.reject} with runId ${run.id}.`;
      }
      if (run.waitingReason === 'outcome_unknown') {
        const calls = run.unknownOutcomes
          .map((u) => `${u.tool} [callId ${u.callId}]${u.reason ? ` (${u.reason})` : ''}`)
          .join('; ');
        return `Run ${run.id} is parked: nobody knows whether ${calls} took effect. An operator decides (retry, supply the result, or fail it), then ${COMPANION_TOOLS.resume}.`;
      }
      return `Run ${run.id} is waiting for ${run.waitingReason ?? 'a person'}.`;
    }
    default:
      return `Run ${run.id} is ${run.status}.`;
  }
}
