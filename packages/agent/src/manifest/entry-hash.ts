import type { Json, ToolManifest, ToolManifestEntry } from '@kestrion/core';
import { jsonHash } from '@kestrion/core/provider-kit';

/**
 * The manifest format version this runtime reads: 3, tools keyed by agent id, each entry with
 * `entryHash`, `parameterNames` and `contextIndex`. kestrion-compile writes the same number.
 */
export const MANIFEST_VERSION = 3;

/**
 * The `entryHash` of a manifest entry: `sha256:` + the sha256 of the canonical JSON of the
 * entry without its `entryHash` field. kestrion-compile computes the same (it cannot import
 * core at runtime, so it has its own copy of canonical JSON; a test keeps the two equal).
 */
export function toolEntryHash(entry: Omit<ToolManifestEntry, 'entryHash'> & { entryHash?: string }): string {
  const { entryHash: _ignored, ...rest } = entry;
  void _ignored;
  return `sha256:${jsonHash(rest as unknown as Json)}`;
}

/**
 * A manifest built in code (tests, generators) with every entry's `entryHash` filled in. The
 * runtime refuses entries without a matching hash; a manifest file always comes from
 * kestrion-compile, which writes them.
 */
export function sealToolManifest(
  tools: Record<string, Omit<ToolManifestEntry, 'entryHash'> & { entryHash?: string }>,
): ToolManifest {
  return {
    version: MANIFEST_VERSION,
    tools: Object.fromEntries(
      Object.entries(tools).map(([key, entry]) => {
        const { entryHash: _old, ...rest } = entry;
        void _old;
        return [key, { ...rest, entryHash: toolEntryHash(rest) }];
      }),
    ),
  };
}
