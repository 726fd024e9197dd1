import { ConfigurationError } from '../errors';
import { jsonHash } from '../util/hash';
import type { Json } from '../util/json';
import type { ToolDefinition } from '../engine/tool-definition';
import type { ToolCallState } from '../state/run-state';

/** Longest role name accepted in a policy or a decision. */
export const MAX_ROLE_LENGTH = 128;

/**
 * The roles that must approve a call with these arguments, in order; `[]` means any one
 * approver; `null` means the call needs no approval.
 *
 * Fails closed: a policy that throws, or returns anything but `true`, `false`, a role or a
 * non-empty list of roles (for instance `undefined` from a function that forgot a branch), is
 * a ConfigurationError naming the tool and the value, and the call does not run.
 */
export function requiredRoles(
  tool: Pick<ToolDefinition, 'name' | 'requiresApproval'>,
  args: Json,
): string[] | null {
  const policy = tool.requiresApproval;
  if (policy === undefined || policy === false) return null;
  let r: unknown = policy;
  if (typeof policy === 'function') {
    try {
      r = policy(args);
    } catch (cause) {
      throw new ConfigurationError(
        `the approval policy of tool ${tool.name} threw (${cause instanceof Error ? cause.message : String(cause)}); the call does not run. Fix the policy function so it returns true, false, a role or a list of roles for every input`,
        { cause },
      );
    }
  }
  if (r === false) return null;
  if (r === true) return [];
  if (isRole(r)) return [r];
  if (Array.isArray(r) && r.length > 0 && r.every(isRole)) return [...(r as string[])];
  throw new ConfigurationError(
    `the approval policy of tool ${tool.name} gave ${describe(r)}, which is not a requirement; the call does not run. Return true (any approver), false (no approval), a role, or a non-empty list of roles (a chain)`,
  );
}

/** Checks a static policy when an engine is built, so a bad one fails at start-up, not mid-run. */
export function assertValidPolicy(tool: Pick<ToolDefinition, 'name' | 'requiresApproval'>): void {
  if (typeof tool.requiresApproval !== 'function') requiredRoles(tool, null);
}

function isRole(r: unknown): r is string {
  return typeof r === 'string' && r.trim().length > 0 && r.length <= MAX_ROLE_LENGTH;
}

function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return 'a function';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** The role the next grant must carry, or undefined when any approver will do. */
export function nextRequiredRole(call: ToolCallState): string | undefined {
  return call.requiredRoles[call.grants.length];
}

/** Everyone who decided on this call so far: approvers and the person who edited its arguments. */
export function deciders(call: ToolCallState): string[] {
  const editorApartFromGrants = call.edit && !call.edit.counted ? [call.edit.by] : [];
  return [...editorApartFromGrants, ...call.grants.map((g) => g.by)];
}

/**
 * Checks, right before a gated call runs, that its approval really is for this call: every
 * grant carries this tool and these exact arguments, the chain is complete and was made by
 * distinct people (unless the tool allows one person several steps), and the policy evaluated
 * on the arguments that will run asks for no more than the grants give. A grant forged into
 * the log, arguments that changed after approval, or a policy that now asks for more,
 * execute nothing.
 */
export function approvalBindingProblem(call: ToolCallState, tool: ToolDefinition): string | undefined {
  const grants = call.grants;
  if (jsonHash(call.args) !== call.argsHash) return 'the arguments do not match their recorded hash';
  let policy: string[] | null;
  try {
    policy = requiredRoles(tool, call.args);
  } catch (error) {
    return (error as Error).message;
  }
  const chain = policy ?? [];
  const needed = Math.max(chain.length, 1);
  if (grants.length < needed) return `${grants.length} of ${needed} approvals recorded`;
  for (const [i, g] of grants.entries()) {
    if (g.tool !== call.tool) return `grant ${i + 1} is for tool ${g.tool}, not ${call.tool}`;
    if (g.argsHash !== call.argsHash)
      return `grant ${i + 1} approved other arguments (${g.argsHash.slice(0, 12)}…)`;
    const role = chain[i];
    if (role !== undefined && g.role !== role)
      return `grant ${i + 1} was by role ${g.role ?? '(none)'}, the policy for these arguments needs ${role}`;
  }
  if (!tool.allowSameApprover) {
    const people = deciders(call);
    const twice = people.find((p, i) => people.indexOf(p) !== i);
    if (twice !== undefined)
      return `${twice} decided more than one step of the chain; each step needs another person`;
  }
  return undefined;
}
