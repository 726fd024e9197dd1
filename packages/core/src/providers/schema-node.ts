import type { Json, JsonObject } from '../util/json';

/** Keywords whose value is a map of names to subschemas. */
export const SCHEMA_MAP_KEYWORDS = ['properties', '$defs', 'patternProperties'] as const;
/** Keywords whose value is a list of subschemas. */
export const SCHEMA_LIST_KEYWORDS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const;
/** Keywords whose value is one subschema. */
export const SCHEMA_SINGLE_KEYWORDS = ['items', 'additionalProperties', 'not', 'contains'] as const;

/** True for a JSON object (not an array, not null). */
export function isSchemaObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `type` keyword as a list (empty when absent). */
export function typesOf(schema: JsonObject): string[] {
  const type = schema.type;
  if (typeof type === 'string') return [type];
  return Array.isArray(type) ? type.filter((t): t is string => typeof t === 'string') : [];
}

/** The schema with `null` allowed as well, in the simplest form that keeps every keyword. */
export function withNull(schema: JsonObject): JsonObject {
  const types = typesOf(schema);
  if (typeof schema.type === 'string' || Array.isArray(schema.type)) {
    if (types.includes('null')) return schema;
    const out: JsonObject = { ...schema, type: [...types, 'null'] };
    if (Array.isArray(schema.enum)) out.enum = [...schema.enum, null];
    if ('const' in schema) {
      out.enum = [schema.const as Json, null];
      delete out.const;
    }
    return out;
  }
  if (Array.isArray(schema.anyOf)) {
    const hasNull = schema.anyOf.some((s) => isSchemaObject(s) && typesOf(s).includes('null'));
    return hasNull ? schema : { ...schema, anyOf: [...schema.anyOf, { type: 'null' }] };
  }
  const { description, ...rest } = schema;
  const out: JsonObject = { anyOf: [rest, { type: 'null' }] };
  if (description !== undefined) out.description = description;
  return out;
}

/** True when the schema (without following `$ref`) accepts `null`. */
export function acceptsNull(schema: Json | undefined): boolean {
  if (schema === true) return true;
  if (!isSchemaObject(schema)) return false;
  if (typesOf(schema).includes('null')) return true;
  if (Array.isArray(schema.enum) && schema.enum.includes(null)) return true;
  if (schema.const === null) return true;
  return Array.isArray(schema.anyOf) && schema.anyOf.some((s) => acceptsNull(s));
}
