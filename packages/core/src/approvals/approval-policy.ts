import { jsonHash } from '../util/hash';
import type { Json } from '../util/json';
import type { ApprovalRequirement } from '../engine/tool-definition';
import type { ToolCallState } from '../state/run-state';

/**
 * The roles that must approve a call, in order; `[]` means any approver; `null` means the call
 * needs no approval.
 */
export function requiredRoles(requirement: ApprovalRequirement | undefined, args: Json): string[] | null {
  const r = typeof requirement === 'function' ? requirement(args) : requirement;
  if (r === undefined || r === false) return null;
  if (r === true) return [];
  return typeof r === 'string' ? [r] : [...r];
}

/** The role the next grant must carry, or undefined when any approver will do. */
export function nextRequiredRole(call: ToolCallState): string | undefined {
  return call.requiredRoles[call.grants.length];
}

/**
 * Checks, right before a gated call runs, that its approval really is for this call: every
 * grant carries this tool and these exact arguments, and the chain is complete. A grant
 * forged into the log, or arguments that changed after approval, execute nothing.
 */
export function approvalBindingProblem(call: ToolCallState): string | undefined {
  const grants = call.grants;
  if (jsonHash(call.args) !== call.argsHash) return 'the arguments do not match their recorded hash';
  const needed = Math.max(call.requiredRoles.length, 1);
  if (grants.length < needed) return `${grants.length} of ${needed} approvals recorded`;
  for (const [i, g] of grants.entries()) {
    if (g.tool !== call.tool) return `grant ${i + 1} is for tool ${g.tool}, not ${call.tool}`;
    if (g.argsHash !== call.argsHash)
      return `grant ${i + 1} approved other arguments (${g.argsHash.slice(0, 12)}…)`;
    const role = call.requiredRoles[i];
    if (role !== undefined && g.role !== role)
      return `grant ${i + 1} was by role ${g.role ?? '(none)'}, the chain needs ${role}`;
  }
  return undefined;
}
