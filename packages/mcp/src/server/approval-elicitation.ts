import type { Agent, AgentRun } from '@kestrion/agent';
import type { PendingApproval } from '@kestrion/core';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { McpRequestExtra } from './agent-mcp-server';
import type { McpIdentity } from './identity';

/** Rounds of asking before the run is handed back as it is (a run that parks again and again). */
const MAX_ROUNDS = 20;

/**
 * The role `who` decides `call` as: the role its chain needs next when `who` holds it, none
 * when any approver will do; `false` when the chain needs a role `who` does not hold.
 */
export function decisionRole(call: PendingApproval, who: McpIdentity): string | undefined | false {
  if (call.nextRole === undefined) return undefined;
  return who.roles.includes(call.nextRole) ? call.nextRole : false;
}

/**
 * While the run is parked on approvals, asks the person at the client (elicitation, form mode)
 * about each pending call they may decide and has not decided yet: approve, or reject with a
 * reason. Decisions are recorded as `who` (from the token, never from the answer), then the run
 * is driven on. A declined or cancelled question, or a call the person may not decide, leaves
 * the run parked: the result says so, with its run id.
 */
export async function askForApprovals(
  server: Server,
  agent: Agent,
  run: AgentRun,
  who: McpIdentity,
  extra: McpRequestExtra,
  driveOn: (target: { runId: string }) => Promise<AgentRun>,
): Promise<AgentRun> {
  let current = run;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (current.status !== 'waiting_on_human' || current.waitingReason !== 'approval') return current;
    const askable = current.pending.filter(
      (p) => decisionRole(p, who) !== false && !p.approvedBy.includes(who.identity),
    );
    if (askable.length === 0) return current;
    for (const call of askable) {
      const answer = await ask(server, agent.name, current.id, call, who, extra);
      if (answer === undefined) return agent.get(current.id);
      const role = decisionRole(call, who);
      const base = { by: who.identity, callId: call.callId, ...(typeof role === 'string' ? { role } : {}) };
      current =
        answer.decision === 'approve'
          ? await agent.approve(current.id, { ...base, argsHash: call.argsHash })
          : await agent.reject(current.id, { ...base, ...(answer.reason ? { reason: answer.reason } : {}) });
    }
    if (current.status === 'pending') current = await driveOn({ runId: current.id });
  }
  return current;
}

async function ask(
  server: Server,
  agentName: string,
  runId: string,
  call: PendingApproval,
  who: McpIdentity,
  extra: McpRequestExtra,
): Promise<{ decision: 'approve' | 'reject'; reason?: string } | undefined> {
  const role = decisionRole(call, who);
  const message = [
    `The ${agentName} agent (run ${runId}) wants to call ${call.tool} with ${JSON.stringify(call.args)}.`,
    call.reason ? `Note: ${call.reason}.` : '',
    `Decide as ${who.identity}${typeof role === 'string' ? ` (role ${role})` : ''}.`,
  ]
    .filter(Boolean)
    .join(' ');
  try {
    const result = await server.elicitInput(
      {
        mode: 'form',
        message,
        requestedSchema: {
          type: 'object',
          properties: {
            decision: { type: 'string', title: 'Decision', enum: ['approve', 'reject'] },
            reason: { type: 'string', title: 'Reason (told to the agent when you reject)' },
          },
          required: ['decision'],
        },
      },
      { relatedRequestId: extra.requestId },
    );
    if (result.action !== 'accept') return undefined;
    const decision = result.content?.decision;
    if (decision !== 'approve' && decision !== 'reject') return undefined;
    const reason = result.content?.reason;
    return { decision, ...(typeof reason === 'string' && reason !== '' ? { reason } : {}) };
  } catch {
    // The client could not ask (it refused the request, or the person is gone): leave it parked.
    return undefined;
  }
}
