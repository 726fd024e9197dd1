import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { Json, JsonObject, ToolManifest } from '@kestrion/core';
import { OllamaProvider, toOllamaSchema } from '../src/index';

// Ollama's simplified view of tool schemas, behind the Provider port's toolSpec hook (moved
// here from @kestrion/agent with its tests).

const isObject = (v: Json | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Visits every subschema with its JSON pointer. */
function walk(schema: Json, at: string, visit: (node: Json, at: string) => void): void {
  visit(schema, at);
  if (!isObject(schema)) return;
  for (const key of ['properties', '$defs', 'patternProperties'])
    if (isObject(schema[key]))
      for (const [k, v] of Object.entries(schema[key] as JsonObject)) walk(v, `${at}/${key}/${k}`, visit);
  for (const key of ['anyOf', 'oneOf', 'allOf', 'prefixItems'])
    if (Array.isArray(schema[key]))
      (schema[key] as Json[]).forEach((v, i) => walk(v, `${at}/${key}/${i}`, visit));
  for (const key of ['items', 'additionalProperties', 'not'])
    if (schema[key] !== undefined && typeof schema[key] !== 'boolean')
      walk(schema[key] as Json, `${at}/${key}`, visit);
}

/** Ollama tool parameters: every node has one `type` string; no boolean schemas, no $ref/anyOf/oneOf/allOf. */
export function ollamaViolations(schema: JsonObject): string[] {
  const problems: string[] = [];
  if (schema.type !== 'object') problems.push('root must be type object');
  walk(schema, '#', (node, at) => {
    if (!isObject(node)) return problems.push(`${at}: boolean schema`);
    if (typeof node.type !== 'string') problems.push(`${at}: type must be a single string`);
    for (const key of ['$ref', 'anyOf', 'oneOf', 'allOf', 'prefixItems', 'additionalProperties'])
      if (key in node) problems.push(`${at}: keyword ${key}`);
  });
  return problems;
}

const CORPUS = path.resolve(__dirname, '../../../compiler/test/fixtures/corpus');
const manifest = JSON.parse(
  fs.readFileSync(path.join(CORPUS, 'kestrion.manifest.golden.json'), 'utf8'),
) as ToolManifest;
const entries = Object.entries(manifest.tools);

describe('the Ollama checker', () => {
  it('catches the violations it is meant to catch', () => {
    expect(ollamaViolations({ type: 'object', properties: { a: { type: ['string', 'null'] } } })).toEqual([
      '#/properties/a: type must be a single string',
    ]);
  });
});

describe.each(entries)('Ollama view of corpus tool %s', (_key, entry) => {
  it('gives Ollama single-type schemas without boolean schemas or references', () => {
    expect(ollamaViolations(toOllamaSchema(entry.parameters))).toEqual([]);
  });
});

describe('OllamaProvider.toolSpec', () => {
  it('offers the simplified view', () => {
    const provider = new OllamaProvider('llama3.2');
    const parameters: JsonObject = { type: 'object', properties: { a: { type: ['string', 'null'] } } };
    expect(provider.toolSpec({ name: 't', description: 'd', parameters })).toEqual({
      name: 't',
      description: 'd',
      parameters: { type: 'object', properties: { a: { type: 'string' } } },
    });
  });
});
