import type { Json, JsonObject } from '@kestrion/core';
import { OPENAI_STRICT_FORMATS, OPENAI_STRICT_KEYWORDS } from '../src/index';

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

/** Anthropic `input_schema`: root `type: "object"` with `properties`; no oneOf/anyOf/allOf at the top level. */
export function anthropicViolations(schema: JsonObject): string[] {
  const problems: string[] = [];
  if (schema.type !== 'object') problems.push('root must be type object');
  if (!isObject(schema.properties)) problems.push('root needs properties');
  for (const key of ['oneOf', 'anyOf', 'allOf']) if (key in schema) problems.push(`top-level ${key}`);
  return problems;
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
