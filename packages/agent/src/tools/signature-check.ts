import type { ToolManifestEntry } from '@kestrion/core';
import { declaredParameters } from './declared-parameters';

/** What JavaScript still shows of a method at run time, minified or not. */
export interface RuntimeSignature {
  /** `Function.length`: the parameters before the first one with a default (a minifier keeps it). */
  length: number;
  /**
   * `design:paramtypes`, when the class was compiled with `emitDecoratorMetadata` (legacy
   * decorators under tsc or ts-jest; not esbuild, not standard decorators): one constructor
   * per declared parameter, so the exact count, and the primitive types.
   */
  designTypes: readonly unknown[] | undefined;
  /** The names in the source text, when it is a plain list (undefined for destructuring, native code). */
  declared: readonly string[] | undefined;
}

/** Reads {@link RuntimeSignature} off a method. */
export function runtimeSignature(fn: (...args: never[]) => unknown, designTypes: unknown): RuntimeSignature {
  return {
    length: fn.length,
    designTypes: Array.isArray(designTypes) ? designTypes : undefined,
    declared: declaredParameters(fn),
  };
}

/** The JSON Schema `type`s a value of each constructor emitted by `design:paramtypes` has. */
const SCHEMA_TYPES = new Map<unknown, { label: string; types: readonly string[] }>([
  [String, { label: 'string', types: ['string'] }],
  [Number, { label: 'number', types: ['number', 'integer'] }],
  [Boolean, { label: 'boolean', types: ['boolean'] }],
  [Array, { label: 'array', types: ['array'] }],
]);

/**
 * How the method no longer matches its manifest entry, or undefined when nothing shows. The
 * entry is the truth the arguments are mapped by; this only looks for the signs of an edit
 * made without recompiling, each one a thing a minifier leaves alone:
 * - the parameter count, exact from `design:paramtypes`, else from the source text's list
 *   (a minifier renames parameters but keeps them), else at least `Function.length`;
 * - the same names in another order (renamed names are not compared: a minifier renames all);
 * - with `design:paramtypes`, a primitive type that contradicts the schema (`Number` where the
 *   schema says `string`), or a primitive where the manifest has the ToolContext.
 */
export function signatureChange(entry: ToolManifestEntry, signature: RuntimeSignature): string | undefined {
  const names = entry.parameterNames;
  const expected = names.length + (entry.contextIndex === null ? 0 : 1);
  const listed = `${expected} (${manifestList(entry).join(', ') || 'none'})`;
  // A wrapper (`(...args) => …`) from another decorator hides the real list: not compared.
  const declared = signature.declared?.some((n) => n.startsWith('...')) ? undefined : signature.declared;
  const named = (count: number): string =>
    declared !== undefined && declared.length === count ? ` (${declared.join(', ')})` : '';
  const actual = signature.designTypes?.length ?? declared?.length;
  if (actual !== undefined && actual !== expected)
    return `the method now takes ${actual} parameter${actual === 1 ? '' : 's'}${named(actual)} but the manifest lists ${listed}`;
  if (signature.length > expected)
    return `the method now takes at least ${signature.length} parameters${named(signature.length)} but the manifest lists ${listed}`;
  if (declared !== undefined && declared.length === expected) {
    const own = declared.filter((_, i) => i !== entry.contextIndex);
    const sameSet = own.length === names.length && own.every((n) => names.includes(n));
    if (sameSet && own.some((n, i) => n !== names[i]))
      return `the method now declares (${own.join(', ')}) but the manifest lists (${names.join(', ')})`;
  }
  return signature.designTypes === undefined ? undefined : typeChange(entry, signature.designTypes);
}

/** The manifest's parameters in declaration order, the context shown as `<ToolContext>`. */
function manifestList(entry: ToolManifestEntry): string[] {
  const list = [...entry.parameterNames];
  if (entry.contextIndex !== null) list.splice(entry.contextIndex, 0, '<ToolContext>');
  return list;
}

function typeChange(entry: ToolManifestEntry, designTypes: readonly unknown[]): string | undefined {
  const properties = (entry.parameters.properties ?? {}) as Record<string, unknown>;
  let next = 0;
  for (let position = 0; position < designTypes.length; position++) {
    const known = SCHEMA_TYPES.get(designTypes[position]);
    if (position === entry.contextIndex) {
      if (known !== undefined)
        return `parameter #${position + 1} is now a ${known.label}, but the manifest has the ToolContext there`;
      continue;
    }
    const name = entry.parameterNames[next++] as string;
    const schemaType = (properties[name] as { type?: unknown } | undefined)?.type;
    // Only a single declared type is compared: unions, enums and $refs say too little here.
    if (known === undefined || typeof schemaType !== 'string') continue;
    if (!known.types.includes(schemaType))
      return `parameter ${name} is now a ${known.label} but the manifest's schema says ${schemaType}`;
  }
  return undefined;
}
