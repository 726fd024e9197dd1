import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { Json, JsonObject, ToolManifest } from '@kestrion/core';
import {
  fromOpenAIStrictArgs,
  toAnthropicInputSchema,
  toOllamaSchema,
  toOpenAIStrictSchema,
  validateArgs,
} from '../src/index';
import { anthropicViolations, ollamaViolations, openAIStrictViolations } from './vendor-checkers';

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

describe('vendor checkers', () => {
  it('catch the violations they are meant to catch', () => {
    expect(
      openAIStrictViolations({ type: 'object', properties: { a: { type: 'string', minLength: 1 } } }),
    ).toEqual([
      '#: additionalProperties must be false',
      '#: every property must be required',
      '#/properties/a: keyword minLength',
    ]);
    expect(anthropicViolations({ anyOf: [] })).toEqual([
      'root must be type object',
      'root needs properties',
      'top-level anyOf',
    ]);
    expect(ollamaViolations({ type: 'object', properties: { a: { type: ['string', 'null'] } } })).toEqual([
      '#/properties/a: type must be a single string',
    ]);
  });
});

describe.each(entries)('provider views of corpus tool %s', (key, entry) => {
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

  it('gives Anthropic an object input_schema without top-level combinators', () => {
    expect(anthropicViolations(toAnthropicInputSchema(entry.parameters))).toEqual([]);
  });

  it('gives Ollama single-type schemas without boolean schemas or references', () => {
    expect(ollamaViolations(toOllamaSchema(entry.parameters))).toEqual([]);
  });
});
