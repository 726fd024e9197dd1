import { describe, expect, it, jest } from '@jest/globals';
import Ajv2020 from 'ajv/dist/2020';
import type { JsonObject } from '@kestrion/core';
import { validateArgs } from '../src/index';

const parameters: JsonObject = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1 },
    when: { type: 'string', format: 'date-time' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
  },
  required: ['name'],
  additionalProperties: false,
};

describe('validateArgs', () => {
  it('accepts a valid argument object', () => {
    expect(
      validateArgs({ parameters }, { name: 'x', when: '2026-01-01T00:00:00Z', labels: { a: 'b' } }),
    ).toEqual({ ok: true });
  });

  it('returns every error as a readable message', () => {
    const result = validateArgs({ parameters }, { when: 'soon', extra: 1, labels: { a: 2 } });
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.errors).toEqual(
      expect.arrayContaining([
        'args is missing the required property "name"',
        'args has an unexpected property "extra"',
        'args.when must match format "date-time"',
        'args.labels.a must be string',
      ]),
    );
  });

  it('rejects __proto__ and constructor keys that the schema does not declare', () => {
    const hostile = JSON.parse(
      '{"name":"x","labels":{"__proto__":{"polluted":"yes"},"constructor":"c"}}',
    ) as object;
    const result = validateArgs({ parameters }, hostile);
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.errors).toEqual(
      expect.arrayContaining([
        'args.labels must not have the key "__proto__"',
        'args.labels must not have the key "constructor"',
      ]),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('allows a constructor key when the schema declares it', () => {
    const declared: JsonObject = {
      type: 'object',
      properties: { constructor: { type: 'string' } },
      additionalProperties: false,
    };
    expect(validateArgs({ parameters: declared }, { constructor: 'Ada' })).toEqual({ ok: true });
  });

  it('compiles the schema once per tool', () => {
    const compile = jest.spyOn(Ajv2020.prototype, 'compile');
    const fresh: JsonObject = {
      type: 'object',
      properties: { n: { type: 'integer' } },
      additionalProperties: false,
    };
    validateArgs({ parameters: fresh }, { n: 1 });
    validateArgs({ parameters: fresh }, { n: 2 });
    validateArgs({ parameters: fresh }, { n: 'x' });
    expect(compile).toHaveBeenCalledTimes(1);
    compile.mockRestore();
  });
});
