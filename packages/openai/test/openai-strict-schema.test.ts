import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { Json, JsonObject, ToolManifest } from '@kestrion/core';
import { validateArgs } from '@kestrion/agent';
import {
  fromOpenAIStrictArgs,
  OPENAI_STRICT_FORMATS,
  OPENAI_STRICT_KEYWORDS,
  OpenAIProvider,
  toOpenAIStrictSchema,
} from '../src/index';

// OpenAI's strict view of tool schemas, behind the Provider port's toolSpec and
// normalizeToolArguments hooks (moved here from @kestrion/agent with their tests).

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

/**
 * OpenAI function calling with `strict: true` (Structured Outputs): root is an object and not
 * anyOf; every object lists all its properties in `required` and has
 * `additionalProperties: false`; only the documented keyword subset (string: pattern, format
 * from a fixed list; number: minimum/maximum/exclusive*, multipleOf; array: minItems/maxItems;
 * plus type, enum, const, anyOf, $ref/$defs, description); no boolean subschemas.
 */
export function openAIStrictViolations(schema: JsonObject): string[] {
  const problems: string[] = [];
  if (schema.type !== 'object') problems.push('root must be type object');
  if ('anyOf' in schema) problems.push('root must not be anyOf');
  walk(schema, '#', (node, at) => {
    if (!isObject(node)) return problems.push(`${at}: boolean schema`);
    for (const key of Object.keys(node))
      if (!OPENAI_STRICT_KEYWORDS.includes(key)) problems.push(`${at}: keyword ${key}`);
    if (typeof node.format === 'string' && !OPENAI_STRICT_FORMATS.includes(node.format))
      problems.push(`${at}: format ${node.format}`);
    const types = Array.isArray(node.type) ? node.type : [node.type];
    if (types.includes('object') || isObject(node.properties)) {
      if (node.additionalProperties !== false) problems.push(`${at}: additionalProperties must be false`);
      const keys = Object.keys((node.properties ?? {}) as JsonObject);
      const required = (node.required ?? []) as string[];
      if (keys.length !== required.length || keys.some((k) => !required.includes(k)))
        problems.push(`${at}: every property must be required`);
    }
    if (
      node.type === undefined &&
      node.$ref === undefined &&
      node.anyOf === undefined &&
      node.enum === undefined &&
      node.const === undefined
    )
      problems.push(`${at}: no type`);
  });
  return problems;
}

const CORPUS = path.resolve(__dirname, '../../../compiler/test/fixtures/corpus');
const manifest = JSON.parse(
  fs.readFileSync(path.join(CORPUS, 'kestrion.manifest.golden.json'), 'utf8'),
) as ToolManifest;
const samples = JSON.parse(fs.readFileSync(path.join(CORPUS, 'samples.json'), 'utf8')) as Record<
  string,
  { valid: JsonObject[] }
>;
const entries = Object.entries(manifest.tools);

/** True when some object in the schema is open (a Record or index signature). */
const hasOpenObject = (schema: unknown): boolean =>
  typeof schema === 'object' &&
  schema !== null &&
  (((schema as JsonObject).additionalProperties !== undefined &&
    typeof (schema as JsonObject).additionalProperties === 'object') ||
    Object.values(schema).some(hasOpenObject));

/** Fills every absent property with null, as a strict-mode model does, through plain nested objects and arrays. */
function asStrictModelWouldSend(schema: Json, value: Json): Json {
  if (Array.isArray(value)) {
    const items = (schema as JsonObject).items;
    return value.map((v) => (items === undefined ? v : asStrictModelWouldSend(items, v)));
  }
  const properties = (schema as JsonObject).properties as JsonObject | undefined;
  if (typeof value !== 'object' || value === null || properties === undefined) return value;
  return Object.fromEntries(
    Object.keys(properties).map((p) => [
      p,
      p in value ? asStrictModelWouldSend(properties[p] as Json, value[p] as Json) : null,
    ]),
  );
}

describe('the OpenAI strict checker', () => {
  it('catches the violations it is meant to catch', () => {
    expect(
      openAIStrictViolations({ type: 'object', properties: { a: { type: 'string', minLength: 1 } } }),
    ).toEqual([
      '#: additionalProperties must be false',
      '#: every property must be required',
      '#/properties/a: keyword minLength',
    ]);
  });
});

describe.each(entries)('OpenAI view of corpus tool %s', (key, entry) => {
  it('gives OpenAI a strict-mode schema, or refuses an open object with a clear error', () => {
    if (hasOpenObject(entry.parameters)) {
      expect(() => toOpenAIStrictSchema(entry.parameters)).toThrow(/strict: false/);
      return;
    }
    const strict = toOpenAIStrictSchema(entry.parameters);
    expect(openAIStrictViolations(strict)).toEqual([]);
    for (const args of samples[key]?.valid ?? []) {
      // A strict-mode model sends null for every absent optional property.
      const sent = asStrictModelWouldSend(strict, args) as JsonObject;
      expect(validateArgs({ parameters: strict }, sent)).toEqual({ ok: true });
      expect(validateArgs(entry, fromOpenAIStrictArgs(entry.parameters, sent))).toEqual({ ok: true });
    }
  });
});

describe('OpenAIProvider hooks', () => {
  const provider = new OpenAIProvider('gpt-4.1', { apiKey: 'sk-test' });
  const tool = {
    name: 'find',
    description: 'Finds.',
    parameters: {
      type: 'object',
      properties: { name: { type: 'string' }, limit: { type: 'integer' } },
      required: ['name'],
    } as JsonObject,
  };

  it('offers a tool that fits strict mode strictly, and maps its nulls back to absent', () => {
    const spec = provider.toolSpec(tool);
    expect(spec).toMatchObject({ name: 'find', description: 'Finds.', strict: true });
    expect(openAIStrictViolations(spec.parameters)).toEqual([]);
    expect(provider.normalizeToolArguments(tool, spec, { name: 'web', limit: null })).toEqual({
      name: 'web',
    });
  });

  it('offers an open Record unstrict, with its schema unchanged and its arguments as sent', () => {
    const open = {
      ...tool,
      parameters: { type: 'object', additionalProperties: { type: 'string' } } as JsonObject,
    };
    const spec = provider.toolSpec(open);
    expect(spec).toEqual({ name: 'find', description: 'Finds.', parameters: open.parameters });
    expect(provider.normalizeToolArguments(open, spec, { a: null })).toEqual({ a: null });
  });
});

describe('fromOpenAIStrictArgs', () => {
  const optionalNested = {
    type: 'object',
    properties: { id: { type: 'string' }, note: { type: 'string' } },
    required: ['id'],
    additionalProperties: false,
  };

  it('maps nulls back through arrays, tuples, $refs and unions, and only where the original refuses null', () => {
    const schema: JsonObject = {
      type: 'object',
      $defs: { Item: optionalNested },
      properties: {
        list: { type: 'array', items: { $ref: '#/$defs/Item' } },
        pair: { type: 'array', prefixItems: [optionalNested, { type: 'string' }], items: false },
        either: {
          anyOf: [
            {
              type: 'object',
              properties: { kind: { const: 'a' }, x: { type: 'number' } },
              required: ['kind'],
            },
            {
              type: 'object',
              properties: { kind: { const: 'b' }, x: { type: ['number', 'null'] } },
              required: ['kind'],
            },
          ],
        },
        anything: {},
        maybe: { anyOf: [{ type: 'string' }, { type: 'null' }] },
        only: { enum: ['x', 'y'] },
      },
      additionalProperties: false,
    };
    expect(toOpenAIStrictSchema(schema)).toBeDefined();
    const sent: JsonObject = {
      list: [
        { id: '1', note: null },
        { id: '2', note: 'n' },
      ],
      pair: [{ id: '3', note: null }, 'tail'],
      either: { kind: 'b', x: null },
      anything: null,
      maybe: null,
      only: null,
    };
    expect(fromOpenAIStrictArgs(schema, sent)).toEqual({
      list: [{ id: '1' }, { id: '2', note: 'n' }],
      pair: [{ id: '3' }, 'tail'],
      either: { kind: 'b', x: null },
      anything: null,
      maybe: null,
    });
    expect(fromOpenAIStrictArgs(schema, { either: { kind: 'a', x: null } })).toEqual({
      either: { kind: 'a' },
    });
    expect(sent.list).toEqual([
      { id: '1', note: null },
      { id: '2', note: 'n' },
    ]); // the input is not changed
  });
});
