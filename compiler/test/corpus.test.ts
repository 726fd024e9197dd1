import * as fs from 'node:fs';
import * as os from 'node:os';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import type { ToolManifest } from '@kestrion/core';
import { validateArgs } from '@kestrion/agent';
import { ManifestCompiler, formatDiagnostic, type CompileResult } from '@kestrion/compiler';
import { CORPUS_TSCONFIG, GOLDEN_FILE, readSamples } from './corpus-fixture';

let result: CompileResult;
let manifest: ToolManifest;

beforeAll(() => {
  result = ManifestCompiler.fromTsConfig(CORPUS_TSCONFIG).compile();
  manifest = result.manifest;
});

const tool = (key: string) => {
  const entry = manifest.tools[key];
  if (entry === undefined) throw new Error(`no tool ${key}`);
  return entry;
};
const prop = (key: string, name: string) =>
  (tool(key).parameters.properties as Record<string, unknown>)[name];

describe('the corpus manifest', () => {
  it('compiles every corpus tool without diagnostics', () => {
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(Object.keys(manifest.tools).length).toBeGreaterThanOrEqual(40);
  });

  it('equals the committed golden manifest (UPDATE_GOLDEN=1 regenerates it)', () => {
    if (process.env.UPDATE_GOLDEN === '1') {
      // Written through prettier (fixtures are in .prettierignore, hence --ignore-path) so
      // that the committed file keeps its formatting and diffs stay small.
      const prettierBin = require.resolve('prettier/bin/prettier.cjs');
      const input = JSON.stringify(manifest, null, 2);
      fs.writeFileSync(
        GOLDEN_FILE,
        execFileSync(
          process.execPath,
          [prettierBin, '--ignore-path', os.devNull, '--stdin-filepath', GOLDEN_FILE],
          { input },
        ),
      );
    }
    const golden = JSON.parse(fs.readFileSync(GOLDEN_FILE, 'utf8')) as ToolManifest;
    expect(JSON.stringify(manifest, null, 2)).toBe(JSON.stringify(golden, null, 2));
  });

  it('has samples for exactly the tools it contains', () => {
    expect(Object.keys(readSamples()).sort()).toEqual(Object.keys(manifest.tools).sort());
  });
});

describe('tool discovery by symbol', () => {
  it('finds tools decorated through an aliased import, a re-export and a namespace import', () => {
    expect(Object.keys(manifest.tools)).toEqual(
      expect.arrayContaining([
        'AliasedAgent.viaAlias',
        'AliasedAgent.viaReexport',
        'AliasedAgent.viaReexportAlias',
        'ShapesAgent.draw',
      ]),
    );
  });

  it('ignores methods decorated with a different function that is also named tool', () => {
    expect(manifest.tools['AliasedAgent.notATool']).toBeUndefined();
    expect(manifest.tools['LookAlike.alsoNotATool']).toBeUndefined();
  });

  it('uses a literal name from @tool({ name }) as the entry name but keeps Class.method as the key', () => {
    expect(tool('OpsAgent.scale').name).toBe('scale_deployment');
    expect(tool('AliasedAgent.viaReexportAlias').name).toBe('via_reexport_alias');
  });
});

describe.each(Object.entries(readSamples()))('corpus tool %s', (key, samples) => {
  it('requires exactly the parameters without ?, default or undefined', () => {
    expect([...((tool(key).parameters.required as string[] | undefined) ?? [])].sort()).toEqual(
      [...samples.required].sort(),
    );
  });

  it('accepts every valid sample and rejects every invalid one', () => {
    const entry = tool(key);
    for (const args of samples.valid)
      expect({ args, result: validateArgs(entry, args) }).toEqual({ args, result: { ok: true } });
    for (const args of samples.invalid)
      expect({ args, ok: validateArgs(entry, args).ok }).toEqual({ args, ok: false });
  });
});

describe('type mapping', () => {
  it('maps a branded number alias and the @integer tag to integer', () => {
    expect(prop('billing.revenue', 'year')).toMatchObject({
      type: 'integer',
      minimum: 2000,
      maximum: 2100,
    });
    expect(prop('OpsAgent.tailLogs', 'lines')).toMatchObject({
      type: 'integer',
      default: 100,
      maximum: 1000,
    });
  });

  it('maps Date to a date-time string and template literal types to an anchored pattern', () => {
    expect(prop('billing.createInvoice', 'dueDate')).toEqual({ type: 'string', format: 'date-time' });
    expect(prop('billing.getOrder', 'orderId')).toEqual({
      type: 'string',
      pattern: '^order-(?:-?\\d+(?:\\.\\d+)?)$',
    });
  });

  it('maps string and numeric enums to enum lists with the enum JSDoc as description', () => {
    expect(prop('ShapesAgent.log', 'severity')).toEqual({
      type: 'number',
      enum: [0, 1, 2, 3],
      description: 'Log levels, numeric.',
    });
    expect(prop('OpsAgent.restart', 'env')).toMatchObject({
      type: 'string',
      enum: ['dev', 'staging', 'prod'],
    });
  });

  it('puts recursive types in $defs and refers to them with $ref', () => {
    const parameters = tool('ShapesAgent.mergeTrees').parameters;
    expect(prop('ShapesAgent.mergeTrees', 'left')).toEqual({ $ref: '#/$defs/TreeNode' });
    expect((parameters.$defs as Record<string, unknown>).TreeNode).toMatchObject({
      properties: { children: { type: 'array', items: { $ref: '#/$defs/TreeNode' } } },
    });
  });

  it('keeps interface objects closed and Record or index signatures open', () => {
    expect(prop('OpsAgent.drainNode', 'options')).toMatchObject({
      additionalProperties: false,
      required: ['force'],
    });
    expect(prop('OpsAgent.restart', 'selector')).toEqual({
      type: 'object',
      additionalProperties: { type: 'string' },
    });
    expect(prop('ContentAgent.renameFrontMatter', 'renames')).toEqual({
      type: 'object',
      additionalProperties: { type: 'string' },
    });
  });

  it('makes a nullable parameter required and nullable, not optional', () => {
    expect(tool('OpsAgent.listPods').parameters.required).toEqual(['namespace', 'cursor']);
    expect(prop('OpsAgent.listPods', 'cursor')).toEqual({ type: ['string', 'null'] });
  });

  it('describes tuples with prefixItems and exact bounds', () => {
    expect(prop('ContentAgent.setHeroBox', 'box')).toMatchObject({
      type: 'array',
      minItems: 4,
      maxItems: 4,
      items: false,
    });
    expect(prop('ContentAgent.breadcrumbs', 'trail')).toMatchObject({ minItems: 1, maxItems: 2 });
  });

  it('resolves Partial, Pick, Omit and mapped types to closed objects', () => {
    expect(prop('ShapesAgent.patchCustomer', 'patch')).toMatchObject({
      additionalProperties: false,
      properties: { email: { format: 'email' } },
    });
    expect((prop('ShapesAgent.patchCustomer', 'patch') as { required?: unknown }).required).toBeUndefined();
    expect(prop('ShapesAgent.setFlags', 'flags')).toMatchObject({ required: ['beta', 'darkMode'] });
  });

  it('unwraps Promise in return schemas and maps void to null', () => {
    expect(tool('OpsAgent.applyManifest').returns).toEqual({ type: 'string' });
    expect(tool('ShapesAgent.ping').returns).toEqual({ type: 'null' });
  });

  it('leaves a trailing ToolContext parameter out of the schema', () => {
    expect(Object.keys(tool('OpsAgent.tailLogs').parameters.properties as object)).toEqual(['pod', 'lines']);
  });
});

describe('JSDoc', () => {
  it('uses the method summary as description and @param text as property description', () => {
    expect(tool('OpsAgent.applyManifest').description).toBe('kubectl apply a manifest.');
    expect(prop('OpsAgent.applyManifest', 'yaml')).toEqual({
      type: 'string',
      description: 'The manifest to apply.',
    });
  });

  it('prefers a literal description from @tool({ description })', () => {
    expect(tool('ShapesAgent.ping').description).toBe('Ping the shapes service.');
  });

  it('applies constraint tags from a doc block placed right before a parameter', () => {
    expect(prop('OpsAgent.rollback', 'revision')).toEqual({
      type: 'number',
      description: 'Revision to return to; latest-but-one when omitted.',
      minimum: 1,
    });
    expect(prop('billing.applyDiscount', 'percent')).toEqual({
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 100,
      multipleOf: 0.5,
    });
  });

  it('applies JSDoc of a type alias of a primitive and of properties in other packages', () => {
    expect(prop('ContentAgent.publish', 'slug')).toEqual({
      type: 'string',
      description: 'A URL slug.',
      pattern: '^[a-z0-9-]+$',
    });
    expect(prop('ShapesAgent.nearby', 'point')).toMatchObject({
      description: 'A point on Earth.',
      properties: { lat: { minimum: -90, maximum: 90, description: 'Degrees north.' } },
    });
  });

  it('records the method source as a project-relative file:line', () => {
    const text = fs
      .readFileSync(CORPUS_TSCONFIG.replace('tsconfig.json', 'src/ops-agent.ts'), 'utf8')
      .split('\n');
    const line = text.findIndex((l) => l.includes('async cordon(')) + 1;
    expect(tool('OpsAgent.cordon').source).toBe(`src/ops-agent.ts:${line}`);
  });

  it('marks properties documented @deprecated', () => {
    expect(prop('billing.getCustomer', 'customerId')).toEqual({ type: 'string' });
    expect(tool('billing.getCustomer').returns).toMatchObject({
      type: ['object', 'null'],
      properties: { legacyId: { type: 'string', deprecated: true } },
    });
  });
});
