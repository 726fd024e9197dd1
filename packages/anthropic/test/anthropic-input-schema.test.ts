import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { JsonObject, ToolManifest } from '@kestrion/core';
import { AnthropicProvider, toAnthropicInputSchema } from '../src/index';

// Anthropic's input_schema view of tool schemas, behind the Provider port's toolSpec hook
// (moved here from @kestrion/agent with its tests).

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Anthropic `input_schema`: root `type: "object"` with `properties`; no oneOf/anyOf/allOf at the top level. */
export function anthropicViolations(schema: JsonObject): string[] {
  const problems: string[] = [];
  if (schema.type !== 'object') problems.push('root must be type object');
  if (!isObject(schema.properties)) problems.push('root needs properties');
  for (const key of ['oneOf', 'anyOf', 'allOf']) if (key in schema) problems.push(`top-level ${key}`);
  return problems;
}

const CORPUS = path.resolve(__dirname, '../../../compiler/test/fixtures/corpus');
const manifest = JSON.parse(
  fs.readFileSync(path.join(CORPUS, 'kestrion.manifest.golden.json'), 'utf8'),
) as ToolManifest;
const entries = Object.entries(manifest.tools);

describe('the Anthropic checker', () => {
  it('catches the violations it is meant to catch', () => {
    expect(anthropicViolations({ anyOf: [] })).toEqual([
      'root must be type object',
      'root needs properties',
      'top-level anyOf',
    ]);
  });
});

describe.each(entries)('Anthropic view of corpus tool %s', (_key, entry) => {
  it('gives Anthropic an object input_schema without top-level combinators', () => {
    expect(anthropicViolations(toAnthropicInputSchema(entry.parameters))).toEqual([]);
  });
});

describe('AnthropicProvider.toolSpec', () => {
  it('offers the input_schema view', () => {
    const provider = new AnthropicProvider('claude-sonnet-4-5', { apiKey: 'sk-ant-test' });
    const parameters: JsonObject = { $schema: 'x', type: 'object', properties: { a: { type: 'string' } } };
    expect(provider.toolSpec({ name: 't', description: 'd', parameters })).toEqual({
      name: 't',
      description: 'd',
      parameters: { type: 'object', properties: { a: { type: 'string' } } },
    });
  });
});
