import { InvalidDecisionError } from '../errors';
import { MAX_ROLE_LENGTH } from './approval-policy';

/** Longest identity (`by`) accepted in a decision. */
export const MAX_IDENTITY_LENGTH = 256;
/** Longest reason accepted with a rejection, a failed tool or a cancellation. */
export const MAX_REASON_LENGTH = 4096;

/**
 * Decisions come from people through an authenticated caller; anything malformed is refused
 * before it can reach the log, with a typed error that names the field and the fix.
 */
export function assertIdentity(by: unknown, what: string): asserts by is string {
  if (typeof by !== 'string' || by.trim().length === 0)
    throw new InvalidDecisionError(
      `${what} needs \`by\`: the authenticated identity of the person deciding, a non-empty string (got ${show(by)})`,
    );
  if (by.length > MAX_IDENTITY_LENGTH)
    throw new InvalidDecisionError(
      `${what}: \`by\` is ${by.length} characters, over the ${MAX_IDENTITY_LENGTH}-character limit`,
    );
}

export function assertOptionalRole(role: unknown, what: string): asserts role is string | undefined {
  if (role === undefined) return;
  if (typeof role !== 'string' || role.trim().length === 0 || role.length > MAX_ROLE_LENGTH)
    throw new InvalidDecisionError(
      `${what}: \`role\` must be a non-empty string of at most ${MAX_ROLE_LENGTH} characters, the role the caller's authentication granted (got ${show(role)})`,
    );
}

export function assertOptionalText(
  value: unknown,
  field: string,
  what: string,
): asserts value is string | undefined {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length > MAX_REASON_LENGTH)
    throw new InvalidDecisionError(
      `${what}: \`${field}\` must be a string of at most ${MAX_REASON_LENGTH} characters (got ${show(value)})`,
    );
}

/** Edited arguments replace a tool's arguments object: they must be a plain JSON object too. */
export function assertEditedArgs(args: unknown, what: string): void {
  if (args === undefined) return;
  if (args === null || typeof args !== 'object' || Array.isArray(args))
    throw new InvalidDecisionError(
      `${what}: edited \`args\` must be an object of the tool's parameters (got ${show(args)})`,
    );
}

function show(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v.length > 40 ? `a ${v.length}-character string` : JSON.stringify(v);
  return v === null ? 'null' : typeof v;
}
