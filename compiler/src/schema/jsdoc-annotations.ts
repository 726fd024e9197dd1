import type { Json, JsonObject } from '../json-types';

/** One JSDoc tag: `@name text`. */
export interface DocTag {
  name: string;
  text: string;
}

/** The JSDoc of a declaration, reduced to what schemas use. */
export interface DocAnnotations {
  description?: string;
  tags: readonly DocTag[];
}

const NUMERIC_TAGS = [
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
];
const STRING_TAGS = ['pattern', 'format'];

/**
 * Applies a JSDoc description and constraint tags to a schema. Later calls win, so apply the
 * type's own docs first and the property's or parameter's docs last. Returns problems (a tag
 * with an unreadable value) for the caller to report; the schema is changed in place.
 */
export function applyAnnotations(schema: JsonObject, docs: DocAnnotations): string[] {
  const problems: string[] = [];
  if (docs.description !== undefined && docs.description !== '') schema.description = docs.description;
  for (const { name, text } of docs.tags) {
    if (NUMERIC_TAGS.includes(name)) {
      const value = Number(text);
      if (text === '' || !Number.isFinite(value))
        problems.push(`@${name} needs a number, got ${JSON.stringify(text)}`);
      else schema[name] = value;
    } else if (STRING_TAGS.includes(name)) {
      if (text === '') problems.push(`@${name} needs a value`);
      else if (name === 'pattern' && !isRegExp(text))
        problems.push(`@pattern ${text} is not a valid regular expression`);
      else schema[name] = text;
    } else if (name === 'default') schema.default = parseDefault(text);
    else if (name === 'deprecated') schema.deprecated = true;
    else if (name === 'description' && text !== '') schema.description = text;
    else if (name === 'integer' || (name === 'asType' && text === 'integer')) {
      if (!toInteger(schema)) problems.push(`@${name} applies to numbers only`);
    }
  }
  return problems;
}

/** Replaces `number` by `integer` in a schema (also inside a nullable union). False when there was no number. */
export function toInteger(schema: JsonObject): boolean {
  if (schema.type === 'number' || schema.type === 'integer') {
    schema.type = 'integer';
    return true;
  }
  if (Array.isArray(schema.type) && schema.type.includes('number')) {
    schema.type = schema.type.map((t) => (t === 'number' ? 'integer' : t));
    return true;
  }
  if (Array.isArray(schema.anyOf)) {
    let changed = false;
    schema.anyOf = schema.anyOf.map((branch) => {
      if (typeof branch !== 'object' || branch === null || Array.isArray(branch)) return branch;
      const copy = { ...branch };
      changed = toInteger(copy) || changed;
      return copy;
    });
    return changed;
  }
  return false;
}

function parseDefault(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

function isRegExp(text: string): boolean {
  try {
    new RegExp(text, 'u');
    return true;
  } catch {
    return false;
  }
}

/**
 * Parses a raw `/** ... *\/` comment (as found directly before a parameter) into a description
 * and tags.
 */
export function parseDocComment(comment: string): DocAnnotations {
  const body = comment
    .replace(/^\/\*\*?/, '')
    .replace(/\*\/$/, '')
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n');
  const [head = '', ...rest] = body.split(/(?:^|\s)(?=@[A-Za-z])/);
  const tags = rest.map((chunk) => {
    const match = /^@(\w+)\s*([\s\S]*)$/.exec(chunk.trim());
    return { name: match?.[1] ?? '', text: (match?.[2] ?? '').trim() };
  });
  const description = head.trim();
  return { description: description === '' ? undefined : description, tags };
}
