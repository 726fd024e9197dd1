import type { Tool } from '@modelcontextprotocol/sdk/types.js';

/** The companion tools' names; the run tool is named after the agent. */
export const COMPANION_TOOLS = {
  status: 'get_status',
  approve: 'approve',
  reject: 'reject',
  resume: 'resume',
} as const;

const RUN_ID = { type: 'string', description: 'The run id a previous call returned.' };
const CALL_ID = {
  type: 'string',
  description: 'The pending call to decide; may be left out when exactly one call is pending.',
};

/** A tool name clients accept: the agent's name with other characters as `_`. */
export function runToolName(agentName: string): string {
  return agentName.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'agent';
}

/**
 * The tools an agent is served as: one that runs it on an input, and the companions that read
 * and decide its runs. None takes who is deciding: that comes from the caller's token.
 */
export function agentTools(agentName: string, description: string | undefined): Tool[] {
  return [
    {
      name: runToolName(agentName),
      title: `Run the ${agentName} agent`,
      description:
        description ??
        `Runs the ${agentName} agent on a task and returns its answer. When a step needs a person's approval the run parks: the result says so, with the run id to pass to ${COMPANION_TOOLS.approve}, ${COMPANION_TOOLS.reject} and ${COMPANION_TOOLS.status}.`,
      inputSchema: {
        type: 'object',
        properties: { input: { type: 'string', description: 'The task, with everything the agent needs.' } },
        required: ['input'],
        additionalProperties: false,
      },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: true,
      },
    },
    {
      name: COMPANION_TOOLS.status,
      title: 'Get a run',
      description:
        'The run: its status, the calls waiting for approval (tool, arguments, argsHash), and its answer.',
      inputSchema: {
        type: 'object',
        properties: { runId: RUN_ID },
        required: ['runId'],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    {
      name: COMPANION_TOOLS.approve,
      title: 'Approve a pending call',
      description:
        'Approves a call the run waits on, as the identity of your token, then lets the run go on. Pass the argsHash you were shown, so a decision about other arguments is refused.',
      inputSchema: {
        type: 'object',
        properties: {
          runId: RUN_ID,
          callId: CALL_ID,
          argsHash: {
            type: 'string',
            description: 'The hash of the arguments you approve (from the pending call).',
          },
        },
        required: ['runId'],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    {
      name: COMPANION_TOOLS.reject,
      title: 'Reject a pending call',
      description:
        'Rejects a call the run waits on, as the identity of your token; the agent is told, and the run goes on.',
      inputSchema: {
        type: 'object',
        properties: {
          runId: RUN_ID,
          callId: CALL_ID,
          reason: { type: 'string', description: 'Why, for the agent.' },
        },
        required: ['runId'],
        additionalProperties: false,
      },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: true,
      },
    },
    {
      name: COMPANION_TOOLS.resume,
      title: 'Resume a run',
      description: 'Drives a run on from where it stopped (after decisions made elsewhere, or a restart).',
      inputSchema: {
        type: 'object',
        properties: { runId: RUN_ID },
        required: ['runId'],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    },
  ];
}
