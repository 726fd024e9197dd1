import type { RunTrace, TraceSpan } from '@kestrion/core';
import type { Output } from '../output';
import { brief, clock, duration, totalsLine, usd } from './format';

/** How much of a tool's arguments and result to show (0: all of it). */
export interface TraceTextOptions {
  width: number;
}

function offset(from: string, at: string): string {
  const ms = Date.parse(at) - Date.parse(from);
  return `+${(ms / 1000).toFixed(3)}s`.padStart(10);
}

/**
 * A run's timeline, one step a line (start time, offset from the run's start, duration), tool
 * arguments and results cut to `width`, approvals with who and when, waits, and the totals.
 */
export function traceLines(out: Output, t: RunTrace, options: TraceTextOptions): string[] {
  const lines: string[] = [];
  const span = t.durationMs !== undefined ? ` (${duration(t.durationMs)})` : ' (not ended)';
  lines.push(`${out.style('bold', 'trace')} ${t.runId}  agent ${t.agent}  status ${t.status}`);
  lines.push(`started ${t.startedAt}${t.endedAt ? `, ended ${t.endedAt}` : ''}${span}`);
  lines.push('');
  for (const s of t.spans) lines.push(...spanLines(out, t, s, options));
  if (t.error) lines.push('', `error    ${out.style('red', `${t.error.code}: ${t.error.message}`)}`);
  lines.push('', `${out.style('bold', 'totals')}   ${totalsLine(t.totals)}`);
  return lines;
}

function spanLines(out: Output, t: RunTrace, s: TraceSpan, o: TraceTextOptions): string[] {
  const start = s.kind === 'tool' ? s.requestedAt : s.startedAt;
  const head = `${clock(start)} ${offset(t.startedAt, start)}`;
  const pad = ' '.repeat(head.length + 2);
  if (s.kind === 'model') {
    const attempts = s.attempts > 1 ? `, ${s.attempts} attempts` : '';
    const status =
      s.status === 'completed' ? '' : `  ${out.style(s.status === 'failed' ? 'red' : 'yellow', s.status)}`;
    const lines = [
      `${head}  ${out.style('cyan', 'model')} ${s.model}  ${duration(s.durationMs)}  ${s.inputTokens} in / ${s.outputTokens} out tokens  ${usd(s.usd)}${attempts}${status}`,
    ];
    if (s.error) lines.push(`${pad}${out.style('red', `${s.error.code}: ${s.error.message}`)}`);
    return lines;
  }
  if (s.kind === 'wait') {
    const what =
      s.reason === 'quota'
        ? `quota (bucket ${s.bucket ?? '?'})`
        : s.reason === 'outcome_unknown'
          ? 'outcome unknown'
          : s.reason;
    return [
      `${head}  ${out.style('yellow', 'wait')}  ${what}  ${s.endedAt ? duration(s.durationMs) : 'still waiting'}`,
    ];
  }
  const status =
    s.status === 'completed'
      ? out.style('green', 'completed')
      : out.style(s.status === 'failed' || s.status === 'rejected' ? 'red' : 'yellow', s.status);
  const attempts = s.attempts > 1 ? `, ${s.attempts} attempts` : '';
  // A gated call runs after its approval: say when, beside how long it took.
  const ran =
    s.startedAt === undefined
      ? ''
      : s.startedAt !== s.requestedAt && s.approval
        ? `ran at ${clock(s.startedAt)} for ${duration(s.durationMs)}`
        : duration(s.durationMs);
  const lines = [
    `${head}  ${out.style('cyan', 'tool')}  ${out.style('bold', s.tool)} ${brief(s.args, o.width)}  ${ran}  ${status}${attempts}`,
  ];
  if (s.approval) {
    const roles = s.approval.roles.length > 0 ? s.approval.roles.join(' → ') : 'any approver';
    lines.push(
      `${pad}approval requested ${s.approval.requestedAt} (roles: ${roles}${s.approval.deadline ? `, deadline ${s.approval.deadline}` : ''})`,
    );
    for (const d of s.approval.decisions) {
      const who = d.by ? ` by ${d.by}${d.role ? ` as ${d.role}` : ''}` : '';
      const extra = d.reason
        ? `: ${d.reason}`
        : d.editedArgs !== undefined
          ? `, edited to ${brief(d.editedArgs, o.width)}`
          : '';
      lines.push(`${pad}${d.decision}${who} at ${d.at}${extra}`);
    }
  }
  if (s.result !== undefined) lines.push(`${pad}→ ${brief(s.result, o.width)}`);
  if (s.error)
    lines.push(`${pad}${out.style('red', `✗ ${s.error.code}: ${brief(s.error.message, o.width)}`)}`);
  return lines;
}
