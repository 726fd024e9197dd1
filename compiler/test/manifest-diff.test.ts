import { describe, expect, it } from '@jest/globals';
import type { ToolManifest, ToolManifestEntry } from '@kestrion/core';
import { diffManifests, serializeManifest } from '@kestrion/compiler';

function entry(name: string, maximum?: number): ToolManifestEntry {
  return {
    name,
    description: `The ${name} tool.`,
    parameters: {
      type: 'object',
      properties: {
        orderId: { type: 'string' },
        amount: maximum === undefined ? { type: 'number' } : { type: 'number', maximum },
        reason: { type: 'string' },
      },
      required: ['orderId', 'amount'],
      additionalProperties: false,
    },
    parameterNames: ['orderId', 'amount', 'reason'],
    contextIndex: null,
    returns: { type: 'string' },
    signatureHash: `sha256:${name}-${maximum ?? 'none'}`,
    source: `src/${name}.ts:3`,
    entryHash: `sha256:entry-${name}-${maximum ?? 'none'}`,
  };
}

function manifest(...entries: [string, ToolManifestEntry][]): ToolManifest {
  return { version: 3, tools: Object.fromEntries(entries) };
}

describe('diffManifests', () => {
  const before = manifest(['Billing.list', entry('list')], ['Billing.refund', entry('refund', 500)]);
  const after = manifest(['Billing.list', entry('list')], ['Billing.refund', entry('refund')]);

  it('names the tool and the schema path that changed, with both values', () => {
    const diff = diffManifests(before, after).split('\n');
    expect(diff[0]).toBe('~ tool Billing.refund (src/refund.ts:3):');
    expect(diff[1]).toBe('    changed parameters.properties.amount.maximum: 500 -> (absent)');
    expect(diff.filter((l) => l.startsWith('    changed '))).toHaveLength(1);
  });

  it('shows a unified diff hunk with three lines of context and line numbers of the manifest file', () => {
    const diff = diffManifests(before, after).split('\n');
    const hunk = diff.findIndex((l) => l.startsWith('    @@'));
    const oldLines = serializeManifest(before).split('\n');
    const removed = oldLines.indexOf('            "maximum": 500') + 1;
    const hunkStart = removed - 4; // the line before `maximum` ends with a comma in the old text
    expect(diff.slice(hunk, hunk + 9)).toEqual([
      `    @@ -${hunkStart},8 +${hunkStart},7 @@`,
      '                  "type": "string"',
      '                },',
      '                "amount": {',
      '    -             "type": "number",',
      '    -             "maximum": 500',
      '    +             "type": "number"',
      '                },',
      '                "reason": {',
    ]);
    expect(diff.some((l) => l.includes('"signatureHash"'))).toBe(true);
    expect(diff.some((l) => l.includes('Billing.list'))).toBe(false);
  });

  it('lists new and removed tools, and is empty when nothing changed', () => {
    expect(diffManifests(before, before)).toBe('');
    expect(diffManifests(before, manifest(['Billing.list', entry('list')]))).toBe(
      '- tool Billing.refund (no longer in the code)',
    );
    expect(diffManifests(manifest(['Billing.list', entry('list')]), before)).toBe(
      '+ tool Billing.refund (new, src/refund.ts:3)',
    );
  });
});
