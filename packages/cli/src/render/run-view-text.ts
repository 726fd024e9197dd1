import type { AgentRun } from '@kestrion/agent';
import type { RunView } from '@kestrion/core';
import type { Output } from '../output';
import { brief, totalsLine } from './format';

const STATUS_STYLE = {
  completed: 'green',
  failed: 'red',
  cancelled: 'yellow',
  expired: 'yellow',
  waiting_on_human: 'cyan',
  pending: 'dim',
  running: 'dim',
} as const;

/** A run as a person reads it: status, what it waits on, its answer or error, totals, next step. */
export function runViewLines(
  out: Output,
  v: RunView | AgentRun,
  hints: { agentModule?: string } = {},
): string[] {
  const lines: string[] = [];
  const status = out.style(STATUS_STYLE[v.status], v.status);
  const why = v.waitingReason ? ` (waiting on ${v.waitingReason})` : '';
  lines.push(`${out.style('bold', 'run')}      ${v.runId}`);
  lines.push(`agent    ${v.agent}`);
  lines.push(`status   ${status}${why}`);
  if (v.throttled)
    lines.push(
      `throttled  by quota bucket ${v.throttled.bucket} until ${new Date(v.throttled.untilMs).toISOString()}`,
    );
  for (const p of v.pending) {
    lines.push(`pending  ${out.style('bold', p.tool)} ${brief(p.args, 120)}  call ${p.callId}`);
    const chain = p.requiredRoles.length > 0 ? p.requiredRoles.join(' → ') : 'any approver';
    lines.push(`         roles: ${chain}${p.nextRole ? ` (next: ${p.nextRole})` : ''}`);
    if (p.approvedBy.length > 0) lines.push(`         approved so far by: ${p.approvedBy.join(', ')}`);
    lines.push(`         deadline: ${p.deadline ?? 'none'}`);
  }
  for (const u of v.unknownOutcomes)
    lines.push(
      `unknown  ${u.tool} ${brief(u.args, 100)}  call ${u.callId}, ${u.attempts} attempt(s), key ${u.idempotencyKey ?? '?'}`,
    );
  for (const w of v.waitingOn) lines.push(`waits on run ${w}`);
  const last = 'lastMessage' in v ? v.lastMessage : undefined;
  if (v.output !== undefined) lines.push(`output   ${brief(v.output, 400)}`);
  else if (last) lines.push(`model    ${brief(last, 400)}`);
  if (v.error) lines.push(`error    ${out.style('red', `${v.error.code}: ${v.error.message}`)}`);
  lines.push(`totals   ${totalsLine(v.totals)}`);
  lines.push(`events   ${v.eventCount}, created ${v.createdAt}, updated ${v.updatedAt}`);
  if (v.pending.length > 0) {
    const mod = hints.agentModule ?? '<module>';
    const call = v.pending.length > 1 ? ` --call ${v.pending[0]?.callId}` : '';
    lines.push('');
    lines.push(
      out.style('dim', `next: kestrion approve ${v.runId} --agent ${mod} --as <you>${call}   (or reject)`),
    );
    lines.push(
      out.style('dim', `then: kestrion resume ${v.runId} --agent ${mod}   (or let a worker pick it up)`),
    );
  }
  return lines;
}
