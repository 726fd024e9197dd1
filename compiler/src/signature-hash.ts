import { createHash } from 'node:crypto';
import type { Json, ToolManifestEntry } from './json-types';

/** JSON with object keys sorted, so equal values give equal text. */
export function canonicalJson(value: Json): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as Json)}`)
    .join(',')}}`;
}

/**
 * The signature hash of a tool: sha256 over its parameter names, order and optionality, the
 * text of its parameter and return type annotations, and the schemas built from the types. Any change a model or the
 * runtime could notice changes the hash.
 */
export function signatureHash(input: Json): string {
  return `sha256:${createHash('sha256').update(canonicalJson(input)).digest('hex')}`;
}

/**
 * A manifest entry's `entryHash`: `sha256:` + the sha256 of the canonical JSON of the entry
 * without its `entryHash`. The runtime (`@kestrion/agent`) recomputes it with core's `jsonHash`
 * (the same canonical JSON) when it loads the manifest and refuses an entry edited by hand.
 */
export function entryHash(entry: Omit<ToolManifestEntry, 'entryHash'> & { entryHash?: string }): string {
  const { entryHash: _ignored, ...rest } = entry;
  void _ignored;
  return `sha256:${createHash('sha256')
    .update(canonicalJson(rest as unknown as Json))
    .digest('hex')}`;
}
