import { ConfigurationError, type Json, type JsonObject } from '@kestrion/core';
import { acceptsNull, isSchemaObject, SCHEMA_LIST_KEYWORDS, typesOf, withNull } from './schema-node';

/** String formats OpenAI's strict mode accepts. */
export const OPENAI_STRICT_FORMATS = [
  'date-time',
  'time',
  'date',
  'duration',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'uuid',
];

/** Keywords OpenAI's strict mode accepts; every other keyword is dropped (or described, for constraints). */
export const OPENAI_STRICT_KEYWORDS = [
  'type',
  'description',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'anyOf',
  '$ref',
  '$defs',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
];

const DESCRIBED_CONSTRAINTS = [
  'minLength',
  'maxLength',
  'default',
  'deprecated',
  'minProperties',
  'maxProperties',
  'uniqueItems',
];

/**
 * The parameter schema in OpenAI's strict function-calling subset: every property required
 * (an optional one becomes nullable: the model sends `null` for "absent", which
 * {@link fromOpenAIStrictArgs} turns back into absent), every object closed, only the
 * documented keywords (constraints strict mode lacks, such as `minLength` or `default`, are
 * moved into the description so the model still reads them; the arguments are validated
 * against the full schema anyway), tuples as arrays of their element union.
 *
 * Throws {@link ConfigurationError} for schemas strict mode cannot express (open objects such
 * as `Record<string, T>`): send that tool with `strict: false`.
 */
export function toOpenAIStrictSchema(parameters: JsonObject): JsonObject {
  const root = convert(parameters, '#');
  if (!isSchemaObject(root) || root.type !== 'object')
    throw new ConfigurationError('OpenAI strict mode needs an object as the root of the parameter schema');
  return root;
}

function convert(schema: Json, at: string): JsonObject {
  if (!isSchemaObject(schema))
    throw new ConfigurationError(
      `OpenAI strict mode has no boolean schemas (at ${at}); send this tool with strict: false`,
    );
  const out: JsonObject = {};
  const notes: string[] = [];
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' || key === '$defs') {
      const map: JsonObject = {};
      for (const [name, sub] of Object.entries(value as JsonObject))
        map[name] = convert(sub, `${at}/${key}/${name}`);
      out[key] = map;
    } else if (key === 'items') {
      // `items: false` closes a tuple; strict mode describes tuples by their element union (below).
      if (value !== false) out.items = convert(value, `${at}/items`);
    } else if (key === 'anyOf' || key === 'oneOf')
      out.anyOf = (value as Json[]).map((s, i) => convert(s, `${at}/${key}/${i}`));
    else if (key === 'format') {
      if (typeof value === 'string' && OPENAI_STRICT_FORMATS.includes(value)) out.format = value;
      else notes.push(`format: ${String(value)}`);
    } else if (key === 'additionalProperties') {
      if (value !== false)
        throw new ConfigurationError(
          `OpenAI strict mode needs closed objects, but ${at} is open (a Record or index signature); send this tool with strict: false`,
        );
    } else if (key === 'prefixItems') {
      const items = (value as Json[]).map((s, i) => convert(s, `${at}/prefixItems/${i}`));
      out.items = items.length === 1 ? (items[0] as JsonObject) : { anyOf: items };
    } else if (DESCRIBED_CONSTRAINTS.includes(key)) notes.push(`${key}: ${JSON.stringify(value)}`);
    else if (
      (SCHEMA_LIST_KEYWORDS as readonly string[]).includes(key) ||
      !OPENAI_STRICT_KEYWORDS.includes(key)
    ) {
      if (key === 'allOf') throw new ConfigurationError(`OpenAI strict mode has no allOf (at ${at})`);
    } else out[key] = value;
  }
  if (isObjectNode(out)) {
    const properties = (out.properties ?? {}) as JsonObject;
    const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
    for (const [name, sub] of Object.entries(properties))
      if (!required.has(name)) properties[name] = withNull(sub as JsonObject);
    out.properties = properties;
    out.required = Object.keys(properties);
    out.additionalProperties = false;
  }
  if (notes.length > 0)
    out.description = [typeof out.description === 'string' ? out.description : '', `(${notes.join('; ')})`]
      .filter((s) => s !== '')
      .join(' ');
  return out;
}

function isObjectNode(schema: JsonObject): boolean {
  return typesOf(schema).includes('object') || isSchemaObject(schema.properties);
}

/**
 * Undoes the strict view's "optional becomes nullable" on arguments a model sent: a `null`
 * for a property the original schema marks optional and not nullable is removed, at every
 * level of plain nested objects. Returns a new object.
 */
export function fromOpenAIStrictArgs(parameters: JsonObject, args: JsonObject): JsonObject {
  return stripNulls(parameters, args) as JsonObject;
}

function stripNulls(schema: Json | undefined, value: Json): Json {
  if (!isSchemaObject(schema) || !isSchemaObject(value) || !isSchemaObject(schema.properties)) return value;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    const sub = schema.properties[key];
    if (item === null && sub !== undefined && !required.has(key) && !acceptsNull(sub)) continue;
    out[key] = stripNulls(sub, item);
  }
  return out;
}
