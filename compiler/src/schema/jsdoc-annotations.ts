import { ts } from 'ts-morph';
import type { Json, JsonObject } from '../json-types';
import { isKnownTag, NUMERIC_TAGS, STRING_TAGS, unknownTagProblem } from './jsdoc-tags';

/** One JSDoc tag: `@name text`. */
export interface DocTag {
  name: string;
  text: string;
  /** The tag in the source, for error positions (absent for tags the compiler made up). */
  node?: ts.Node;
}

/** The JSDoc of a declaration, reduced to what schemas use. */
export interface DocAnnotations {
  description?: string;
  tags: readonly DocTag[];
  /**
   * From a library (node_modules, TypeScript's lib): tags the compiler does not know are
   * ignored there instead of failing the compile, since the user cannot fix them.
   */
  external?: boolean;
}

/** A tag that cannot be applied; `node` is the tag when known. */
export interface AnnotationProblem {
  message: string;
  fix: string;
  node?: ts.Node;
}

/**
 * Applies a JSDoc description and constraint tags to a schema. Later calls win, so apply the
 * type's own docs first and the property's or parameter's docs last. Returns problems (a tag
 * with an unreadable value, an unknown tag) for the caller to report; the schema is changed in
 * place. Documentation tags (`@example`, `@see`, … see {@link DOCUMENTATION_TAGS}) are ignored.
 */
export function applyAnnotations(schema: JsonObject, docs: DocAnnotations): AnnotationProblem[] {
  const problems: AnnotationProblem[] = [];
  const problem = (node: ts.Node | undefined, message: string, fix = 'correct the JSDoc tag'): void => {
    problems.push({ message, fix, ...(node === undefined ? {} : { node }) });
  };
  if (docs.description !== undefined && docs.description !== '') schema.description = docs.description;
  for (const { name, text, node } of docs.tags) {
    if (NUMERIC_TAGS.includes(name)) {
      const value = Number(text);
      if (text === '' || !Number.isFinite(value))
        problem(node, `@${name} needs a number, got ${JSON.stringify(text)}`);
      else schema[name] = value;
    } else if (STRING_TAGS.includes(name)) {
      if (text === '') problem(node, `@${name} needs a value`);
      else if (name === 'pattern' && !isRegExp(text))
        problem(node, `@pattern ${text} is not a valid regular expression`);
      else schema[name] = text;
    } else if (name === 'default') {
      if (text === '') problem(node, '@default needs a value', 'write the default as JSON: `@default 10`');
      else schema.default = parseDefault(text);
    } else if (name === 'deprecated') schema.deprecated = true;
    else if (name === 'description') {
      if (text !== '') schema.description = text;
    } else if (name === 'integer' || name === 'asType') {
      if (name === 'asType' && text !== 'integer')
        problem(
          node,
          `@asType supports only \`integer\`, got ${JSON.stringify(text)}`,
          'write `@asType integer` or `@integer`',
        );
      else if (!toInteger(schema)) problem(node, `@${name} applies to numbers only`);
    } else if (!isKnownTag(name) && docs.external !== true) {
      const unknown = unknownTagProblem(name);
      problem(node, unknown.message, unknown.fix);
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
 * The description and tags of JSDoc blocks (`ts.JSDoc` nodes), each tag keeping its node for
 * error positions.
 */
export function docsOfJsDoc(blocks: readonly ts.JSDoc[], external = false): DocAnnotations {
  const descriptions: string[] = [];
  const tags: DocTag[] = [];
  for (const block of blocks) {
    const text = ts.getTextOfJSDocComment(block.comment)?.trim();
    if (text !== undefined && text !== '') descriptions.push(text);
    for (const tag of block.tags ?? []) tags.push(docTagOf(tag));
  }
  const description = descriptions.join('\n\n');
  return {
    description: description === '' ? undefined : description,
    tags,
    ...(external ? { external } : {}),
  };
}

/** One `ts.JSDocTag` as a {@link DocTag}. */
export function docTagOf(tag: ts.JSDocTag): DocTag {
  return { name: tag.tagName.text, text: (ts.getTextOfJSDocComment(tag.comment) ?? '').trim(), node: tag };
}
