import type { ToolIdentity } from './tool-definition';

/**
 * What changed between a call's recorded tool identity and the tool's identity now, as a phrase
 * naming the parts (`inputSchema and annotations changed`), or undefined when they are equal.
 * A part present on one side only counts as changed; a tool that no longer declares an identity
 * has changed in every recorded part. Pure.
 */
export function identityChange(
  recorded: ToolIdentity,
  current: ToolIdentity | undefined,
): string | undefined {
  const now = current ?? {};
  const parts = [...new Set([...Object.keys(recorded), ...Object.keys(now)])].sort();
  const changed = parts.filter(
    (p) => !Object.hasOwn(recorded, p) || !Object.hasOwn(now, p) || recorded[p] !== now[p],
  );
  if (changed.length === 0) return undefined;
  const list = changed.length === 1 ? changed[0] : `${changed.slice(0, -1).join(', ')} and ${changed.at(-1)}`;
  return `${list} changed`;
}
