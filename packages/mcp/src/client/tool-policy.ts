import type { ApprovalRequirement } from '@kestrion/core';
import { globMatcher, isPattern } from '../util/glob';
import type { McpToolOverride } from './server-config';

/** The four behaviour hints of an MCP tool, as the server sent them (any may be missing). */
export interface McpToolHints {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

/** The hints with the MCP specification's defaults filled in for the missing ones. */
export interface EffectiveHints {
  readOnly: boolean;
  destructive: boolean;
  idempotent: boolean;
  openWorld: boolean;
}

/** What Kestrion does with a tool: whether a person approves each call, and whether a crash may retry it. */
export interface McpToolPolicy {
  requiresApproval: ApprovalRequirement;
  idempotent: boolean;
}

/**
 * The hints as the specification defines them when missing: not read-only, destructive, not
 * idempotent, open-world. Destructive and idempotent only mean something for a tool that is not
 * read-only; a read-only tool changes nothing, so it is neither destructive nor unsafe to repeat.
 */
export function effectiveHints(hints: McpToolHints | undefined): EffectiveHints {
  const readOnly = hints?.readOnlyHint === true;
  return {
    readOnly,
    destructive: readOnly ? false : hints?.destructiveHint !== false,
    idempotent: readOnly ? true : hints?.idempotentHint === true,
    openWorld: hints?.openWorldHint !== false,
  };
}

/**
 * The policy the hints ask for: a destructive tool needs one approval (by anyone) per call; a
 * read-only or additive (explicitly non-destructive) tool needs none; a tool that may be
 * repeated without further effect (idempotent, or read-only) is retried after a crash, any
 * other tool parks the run when its outcome is unknown. With no hints at all a tool is
 * destructive and not idempotent: gated, and never repeated on its own.
 */
export function policyFromHints(hints: McpToolHints | undefined): McpToolPolicy {
  const h = effectiveHints(hints);
  return { requiresApproval: h.destructive, idempotent: h.idempotent };
}

/** The overrides matching `tool`: every matching pattern in the order given, then its exact name. */
export function overridesFor(
  tool: string,
  overrides: Record<string, McpToolOverride> | undefined,
): McpToolOverride {
  if (!overrides) return {};
  const entries = Object.entries(overrides);
  const patterns = entries.filter(([p]) => isPattern(p) && globMatcher(p)(tool)).map(([, o]) => o);
  const exact = entries.filter(([p]) => !isPattern(p) && p === tool).map(([, o]) => o);
  return Object.assign({}, ...patterns, ...exact) as McpToolOverride;
}

/** The hints' policy with the configuration's overrides for this tool applied. */
export function resolvePolicy(
  tool: string,
  hints: McpToolHints | undefined,
  overrides: Record<string, McpToolOverride> | undefined,
): McpToolPolicy {
  const base = policyFromHints(hints);
  const o = overridesFor(tool, overrides);
  return {
    requiresApproval: o.requiresApproval ?? base.requiresApproval,
    idempotent: o.idempotent ?? base.idempotent,
  };
}
