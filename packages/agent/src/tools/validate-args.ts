import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { JsonObject } from '@kestrion/core';

/** The outcome of {@link validateArgs}: ok, or readable messages to hand back to the model. */
export type ArgsValidation = { ok: true } | { ok: false; errors: string[] };

const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

const ajv = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true });
addFormats(ajv);

const compiled = new WeakMap<JsonObject, { validate: ValidateFunction; declared: Set<string> }>();

/**
 * Validates an argument object from a model against a tool's parameter schema (ajv, JSON
 * Schema 2020-12, all errors, ajv-formats). The schema is compiled once per tool (per
 * parameters object). Keys that could pollute prototypes (`__proto__`, `constructor`,
 * `prototype`) are rejected anywhere in the arguments unless the schema declares a property of
 * that name.
 */
export function validateArgs(tool: { parameters: JsonObject }, args: unknown): ArgsValidation {
  let entry = compiled.get(tool.parameters);
  if (entry === undefined) {
    entry = { validate: ajv.compile(tool.parameters), declared: declaredPropertyNames(tool.parameters) };
    compiled.set(tool.parameters, entry);
  }
  const errors = pollutingKeys(args, entry.declared, 'args');
  if (!entry.validate(args)) errors.push(...(entry.validate.errors ?? []).map(formatError));
  return errors.length === 0 ? { ok: true } : { ok: false, errors: [...new Set(errors)] };
}

function declaredPropertyNames(schema: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) for (const item of schema) declaredPropertyNames(item, into);
  else if (typeof schema === 'object' && schema !== null) {
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'properties' && typeof value === 'object' && value !== null)
        for (const name of Object.keys(value)) into.add(name);
      declaredPropertyNames(value, into);
    }
  }
  return into;
}

function pollutingKeys(value: unknown, declared: Set<string>, at: string): string[] {
  if (typeof value !== 'object' || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => pollutingKeys(v, declared, `${at}[${i}]`));
  const found: string[] = [];
  for (const key of Object.keys(value)) {
    if ((FORBIDDEN_KEYS as readonly string[]).includes(key) && !declared.has(key))
      found.push(`${at} must not have the key ${JSON.stringify(key)}`);
    found.push(...pollutingKeys((value as Record<string, unknown>)[key], declared, `${at}.${key}`));
  }
  return found;
}

function formatError(error: ErrorObject): string {
  const where =
    'args' +
    error.instancePath
      .split('/')
      .slice(1)
      .map((seg) => (/^\d+$/.test(seg) ? `[${seg}]` : `.${seg.replace(/~1/g, '/').replace(/~0/g, '~')}`))
      .join('');
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${where} is missing the required property ${JSON.stringify(params.missingProperty)}`;
    case 'additionalProperties':
      return `${where} has an unexpected property ${JSON.stringify(params.additionalProperty)}`;
    case 'enum':
      return `${where} must be one of ${JSON.stringify(params.allowedValues)}`;
    case 'const':
      return `${where} must be ${JSON.stringify(params.allowedValue)}`;
    default:
      return `${where} ${error.message ?? 'is invalid'}`;
  }
}
