import type { Json, JsonObject } from '@kestrion/core';
import { isSchemaObject, typesOf } from '@kestrion/core/provider-kit';

const MAX_REF_DEPTH = 3;
const KEPT = ['type', 'description', 'enum', 'properties', 'required', 'items'];

/**
 * The parameter schema in the shape Ollama's tool API reads (its `ToolFunction.Parameters`
 * struct): every node has a single `type` string, no boolean schemas, no `$ref` (definitions are
 * inlined, recursion cut after a few levels to a plain `object`), no `anyOf` (a nullable type
 * keeps its non-null type; a union of objects becomes one object with every branch's
 * properties, requiring only those all branches require; other unions become the first
 * branch's type, with the alternatives listed in the description). Ollama validates nothing,
 * so the arguments are checked against the full schema anyway.
 */
export function toOllamaSchema(parameters: JsonObject): JsonObject {
  const defs = isSchemaObject(parameters.$defs) ? parameters.$defs : {};
  const root = simplify(parameters, defs, 0);
  return { ...root, type: 'object', properties: isSchemaObject(root.properties) ? root.properties : {} };
}

function simplify(schema: Json | undefined, defs: JsonObject, depth: number): JsonObject {
  if (!isSchemaObject(schema)) return { type: 'string' };
  if (typeof schema.$ref === 'string') {
    const target = defs[schema.$ref.replace('#/$defs/', '')];
    const resolved =
      depth >= MAX_REF_DEPTH || target === undefined ? { type: 'object' } : simplify(target, defs, depth + 1);
    return typeof schema.description === 'string'
      ? { ...resolved, description: schema.description }
      : resolved;
  }
  const branches = (schema.anyOf ?? schema.oneOf) as Json[] | undefined;
  if (Array.isArray(branches))
    return mergeBranches(
      schema,
      branches.map((b) => simplify(b, defs, depth)),
    );
  const out: JsonObject = {};
  for (const key of KEPT) if (schema[key] !== undefined) out[key] = schema[key] as Json;
  const types = typesOf(schema).filter((t) => t !== 'null');
  out.type =
    types[0] ??
    (schema.const !== undefined
      ? jsonType(schema.const)
      : isSchemaObject(schema.properties)
        ? 'object'
        : 'string');
  if (schema.const !== undefined) out.enum = [schema.const];
  if (Array.isArray(out.enum)) out.enum = out.enum.filter((v) => v !== null);
  if (isSchemaObject(schema.properties)) {
    const props: JsonObject = {};
    for (const [name, sub] of Object.entries(schema.properties)) props[name] = simplify(sub, defs, depth);
    out.properties = props;
  }
  if (out.type === 'array') {
    const prefix = schema.prefixItems as Json[] | undefined;
    out.items = simplify(Array.isArray(prefix) ? prefix[0] : schema.items, defs, depth);
  }
  return out;
}

function mergeBranches(schema: JsonObject, branches: JsonObject[]): JsonObject {
  const nonNull = branches.filter((b) => b.type !== 'null');
  const description = typeof schema.description === 'string' ? schema.description : undefined;
  const withDescription = (out: JsonObject): JsonObject =>
    description === undefined ? out : { ...out, description };
  if (nonNull.length === 1) return withDescription(nonNull[0] as JsonObject);
  if (nonNull.length > 0 && nonNull.every((b) => b.type === 'object')) {
    const properties: JsonObject = {};
    let required: string[] | undefined;
    for (const branch of nonNull) {
      for (const [name, sub] of Object.entries((branch.properties ?? {}) as JsonObject)) {
        const seen = properties[name];
        properties[name] =
          isSchemaObject(seen) && Array.isArray(seen.enum) && isSchemaObject(sub) && Array.isArray(sub.enum)
            ? { ...seen, enum: [...new Set([...seen.enum, ...sub.enum])] as Json[] }
            : (seen ?? sub);
      }
      const own = Array.isArray(branch.required) ? (branch.required as string[]) : [];
      required = required === undefined ? own : required.filter((r) => own.includes(r));
    }
    return withDescription({ type: 'object', properties, required: required ?? [] });
  }
  const first = nonNull[0] ?? { type: 'string' };
  if (nonNull.every((b) => b.type === first.type && Array.isArray(b.enum)))
    return withDescription({ type: first.type as string, enum: nonNull.flatMap((b) => b.enum as Json[]) });
  const alternatives = nonNull.map((b) => String(b.type)).join(' or ');
  return { ...first, description: [description, `(one of: ${alternatives})`].filter(Boolean).join(' ') };
}

function jsonType(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'number' ? 'number' : typeof value;
}
