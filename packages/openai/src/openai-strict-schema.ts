import {
  ConfigurationError,
  type Json,
  type JsonObject,
  type ModelToolSpec,
  type ProviderTool,
} from '@kestrion/core';
import { isSchemaObject, SCHEMA_LIST_KEYWORDS, typesOf, withNull } from '@kestrion/core/provider-kit';

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
 * for a property the original schema marks optional and that the original schema does not
 * accept as `null` is removed. Walks the value along the original schema wherever
 * {@link toOpenAIStrictSchema} made objects strict: nested `properties`, array `items` and
 * `prefixItems`, `anyOf`/`oneOf` branches (the branch whose property names are the object's
 * keys: strict mode sends every property) and local `$ref`s into `$defs`/`definitions`. A
 * property the original schema accepts as `null` (`type: [..., 'null']`, an `enum` or `const`
 * with null, a nullable branch, an untyped schema) keeps its `null`. Returns a new value; the
 * input is not changed.
 */
export function fromOpenAIStrictArgs(parameters: JsonObject, args: JsonObject): JsonObject {
  return restore(parameters, args, parameters) as JsonObject;
}

/** Follows local `$ref`s (`#`, `#/$defs/...`, `#/definitions/...`) to the schema they name. */
function deref(schema: Json | undefined, root: JsonObject): Json | undefined {
  let node = schema;
  for (let hops = 0; hops < 32 && isSchemaObject(node) && typeof node.$ref === 'string'; hops++) {
    const target = resolvePointer(root, node.$ref);
    if (target === undefined) return node;
    // Siblings of $ref (a description, say) do not change which objects are strict.
    node = target;
  }
  return node;
}

function resolvePointer(root: JsonObject, ref: string): Json | undefined {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node: Json | undefined = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isSchemaObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

/** True when `schema` (in the original, full JSON Schema) accepts `null`. */
function allowsNull(schema: Json | undefined, root: JsonObject, depth = 0): boolean {
  if (schema === true || schema === undefined) return true;
  if (!isSchemaObject(schema) || depth > 32) return false;
  if (typeof schema.$ref === 'string') {
    const target = resolvePointer(root, schema.$ref);
    if (target !== undefined && !allowsNull(target, root, depth + 1)) return false;
  }
  if ('const' in schema && schema.const !== null) return false;
  if (Array.isArray(schema.enum) && !schema.enum.includes(null)) return false;
  if ((typeof schema.type === 'string' || Array.isArray(schema.type)) && !typesOf(schema).includes('null'))
    return false;
  if (Array.isArray(schema.anyOf) && !schema.anyOf.some((s) => allowsNull(s, root, depth + 1))) return false;
  if (Array.isArray(schema.oneOf) && !schema.oneOf.some((s) => allowsNull(s, root, depth + 1))) return false;
  if (Array.isArray(schema.allOf) && !schema.allOf.every((s) => allowsNull(s, root, depth + 1))) return false;
  return true;
}

function restore(schema: Json | undefined, value: Json, root: JsonObject): Json {
  const node = deref(schema, root);
  if (!isSchemaObject(node) || value === null || typeof value !== 'object') return value;
  let out: Json = value;
  if (Array.isArray(value)) {
    const prefix = Array.isArray(node.prefixItems) ? node.prefixItems : [];
    out = value.map((item, i) =>
      i < prefix.length ? restore(prefix[i], item, root) : restore(node.items, item, root),
    );
  } else if (isSchemaObject(node.properties)) {
    const properties = node.properties;
    const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
    const object: JsonObject = {};
    for (const [key, item] of Object.entries(value)) {
      const sub = Object.prototype.hasOwnProperty.call(properties, key) ? properties[key] : undefined;
      if (sub === undefined) object[key] = item;
      else if (item === null && !required.has(key) && !allowsNull(sub, root)) continue;
      else object[key] = restore(sub, item, root);
    }
    out = object;
  }
  const branches = Array.isArray(node.anyOf)
    ? node.anyOf
    : Array.isArray(node.oneOf)
      ? node.oneOf
      : undefined;
  if (branches !== undefined) {
    const branch = branchFor(branches, out, root);
    if (branch !== undefined) out = restore(branch, out, root);
  }
  return out;
}

/**
 * The branch of a union a strict-mode value was written against: for an object, the first
 * object branch whose property names are exactly the object's keys and whose `const`/`enum`
 * properties match it (strict mode sends every property of the branch), else the first with
 * exactly those names; for an array, the first branch that describes arrays.
 */
function branchFor(branches: Json[], value: Json, root: JsonObject): Json | undefined {
  const resolved = branches.map((b) => deref(b, root));
  if (Array.isArray(value))
    return resolved.find(
      (b) =>
        isSchemaObject(b) &&
        (typesOf(b).includes('array') || b.items !== undefined || b.prefixItems !== undefined),
    );
  if (!isSchemaObject(value)) return undefined;
  const keys = Object.keys(value).sort().join('\u0000');
  const sameKeys = resolved.filter(
    (b): b is JsonObject =>
      isSchemaObject(b) &&
      isSchemaObject(b.properties) &&
      Object.keys(b.properties).sort().join('\u0000') === keys,
  );
  return (
    sameKeys.find((b) =>
      Object.entries(value).every(([k, v]) =>
        literalMatches(deref((b.properties as JsonObject)[k], root), v),
      ),
    ) ?? sameKeys[0]
  );
}

/** False only when the schema's `const` or `enum` rules the value out. */
function literalMatches(schema: Json | undefined, value: Json): boolean {
  if (!isSchemaObject(schema)) return true;
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) return value === null;
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value)))
    return value === null;
  return true;
}

/**
 * The tool as OpenAI is offered it: its strict function schema (`strict: true`) where the tool
 * fits strict mode, else its JSON Schema unchanged (an open Record cannot be expressed strictly).
 */
export function openAIToolSpec(tool: ProviderTool): ModelToolSpec {
  const base = { name: tool.name, description: tool.description };
  try {
    return { ...base, parameters: toOpenAIStrictSchema(tool.parameters), strict: true };
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    return { ...base, parameters: tool.parameters };
  }
}
