import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ToolManifest, ToolManifestEntry } from '@kestrion/core';
import { MANIFEST_VERSION, toolEntryHash } from './entry-hash';
import { InvalidManifestSchemaError, ManifestIntegrityError, ManifestVersionError } from './manifest-errors';

/**
 * The load-time schema check: ajv in strict mode (unknown keywords such as a misspelt
 * `maximun`, keywords ignored where they stand, bad `required` lists, mixed types are errors),
 * with the formats and union types the runtime validator accepts. `strictTuples` is off: an
 * optional tuple element (`[a: string, b?: string]`, `minItems` below the tuple length) is
 * what the compiler writes on purpose.
 */
const strictAjv = new Ajv2020({
  strict: true,
  strictTuples: false,
  allowUnionTypes: true,
  allErrors: true,
  logger: false,
});
addFormats(strictAjv);

/** Schemas (by object identity) that compiled cleanly already: a manifest object is checked once. */
const checkedSchemas = new WeakSet<object>();

/**
 * Checks a manifest before any of it is used, and returns it typed:
 * 1. the format: `version` 3 and a `tools` object ({@link ManifestVersionError} otherwise;
 *    versions 1 and 2 are refused with a "recompile" message);
 * 2. integrity: every entry's `entryHash` matches the entry, and its `parameterNames` are
 *    the properties of its `parameters` schema ({@link ManifestIntegrityError} naming every
 *    tool that does not, e.g. after a hand edit);
 * 3. the schemas: every `parameters` and `returns` compiles under strict ajv
 *    ({@link InvalidManifestSchemaError}), so a broken schema fails the load, not a run.
 */
export function verifyManifest(value: unknown, origin: string): ToolManifest {
  const candidate = value as Partial<ToolManifest> | null;
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate))
    throw new ManifestVersionError(origin, undefined, MANIFEST_VERSION);
  if (candidate.version !== MANIFEST_VERSION)
    throw new ManifestVersionError(origin, candidate.version, MANIFEST_VERSION);
  const tools = candidate.tools as unknown;
  if (typeof tools !== 'object' || tools === null || Array.isArray(tools))
    throw new ManifestVersionError(origin, 'no "tools" object', MANIFEST_VERSION);

  const entries = Object.entries(tools as Record<string, unknown>);
  const malformed = entries.filter(([, e]) => !isEntryShaped(e)).map(([key]) => key);
  if (malformed.length > 0) throw new ManifestIntegrityError(origin, malformed, 'is not a manifest entry');
  const unhashed = entries.filter(([, e]) => typeof (e as ToolManifestEntry).entryHash !== 'string');
  if (unhashed.length > 0)
    throw new ManifestIntegrityError(
      origin,
      unhashed.map(([key]) => key),
      'has no entryHash (a manifest built in code needs sealToolManifest from @kestrion/agent)',
    );
  const inconsistent = entries.filter(([, e]) => !hasConsistentParameters(e as ToolManifestEntry));
  if (inconsistent.length > 0)
    throw new ManifestIntegrityError(
      origin,
      inconsistent.map(([key]) => key),
      'has parameterNames that are not exactly the properties of its parameters schema, or a contextIndex out of range',
    );
  const tampered = entries.filter(
    ([, e]) => toolEntryHash(e as ToolManifestEntry) !== (e as ToolManifestEntry).entryHash,
  );
  if (tampered.length > 0)
    throw new ManifestIntegrityError(
      origin,
      tampered.map(([key]) => key),
      'does not match its entryHash',
    );

  for (const [key, e] of entries) {
    const entry = e as ToolManifestEntry;
    checkSchema(origin, key, 'parameters', entry.parameters);
    checkSchema(origin, key, 'returns', entry.returns);
  }
  return candidate as ToolManifest;
}

function isEntryShaped(e: unknown): boolean {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return false;
  const entry = e as Partial<ToolManifestEntry>;
  return (
    typeof entry.name === 'string' &&
    Array.isArray(entry.parameterNames) &&
    entry.parameterNames.every((n) => typeof n === 'string') &&
    (entry.contextIndex === null || Number.isInteger(entry.contextIndex)) &&
    typeof entry.parameters === 'object' &&
    entry.parameters !== null &&
    !Array.isArray(entry.parameters) &&
    (typeof entry.returns === 'boolean' || (typeof entry.returns === 'object' && entry.returns !== null))
  );
}

/**
 * The runtime maps arguments by `parameterNames`, and validates them by `parameters`: the two
 * must name the same arguments, or a validated argument would never reach the method. The
 * context sits at most right after the last argument.
 */
function hasConsistentParameters(entry: ToolManifestEntry): boolean {
  const names = entry.parameterNames;
  const properties = entry.parameters.properties;
  const declared =
    typeof properties === 'object' && properties !== null && !Array.isArray(properties)
      ? Object.keys(properties)
      : [];
  return (
    new Set(names).size === names.length &&
    names.length === declared.length &&
    names.every((n) => declared.includes(n)) &&
    (entry.contextIndex === null || (entry.contextIndex >= 0 && entry.contextIndex <= names.length))
  );
}

function checkSchema(origin: string, tool: string, part: 'parameters' | 'returns', schema: unknown): void {
  if (typeof schema !== 'object' || schema === null) return; // `true`/`false` are valid schemas
  if (checkedSchemas.has(schema)) return;
  try {
    strictAjv.compile(schema);
  } catch (cause) {
    throw new InvalidManifestSchemaError(origin, tool, part, (cause as Error).message, { cause });
  } finally {
    strictAjv.removeSchema(schema);
  }
  checkedSchemas.add(schema);
}
