import { ConfigurationError } from '@kestrion/core';
import { COMPILE_COMMAND } from './compile-command';

const RECOMPILE = `re-run \`${COMPILE_COMMAND}\` (never edit the manifest by hand)`;

/**
 * The manifest is not in the format this runtime reads: an older compiler wrote it (version 1
 * has no integrity hashes), a newer one, or it is not a manifest at all.
 */
export class ManifestVersionError extends ConfigurationError {
  readonly reason = 'manifest_version';

  constructor(
    /** The manifest file, or `the given manifest` for an object. */
    readonly origin: string,
    readonly found: unknown,
    readonly supported: number,
  ) {
    super(
      typeof found === 'number' && found < supported
        ? `${origin} is a version-${found} Kestrion tool manifest, written by an older kestrion-compile without integrity hashes; this runtime reads version ${supported}: ${RECOMPILE}`
        : typeof found === 'number' && found > supported
          ? `${origin} is a version-${found} Kestrion tool manifest, newer than this @kestrion/agent reads (version ${supported}); upgrade @kestrion/agent or compile with the matching @kestrion/compiler`
          : `${origin} is not a version-${supported} Kestrion tool manifest; regenerate it: ${RECOMPILE}`,
    );
  }
}

/**
 * One or more manifest entries do not match the `entryHash` the compiler recorded: the
 * manifest was edited after it was compiled (a loosened `maximum`, a renamed tool). Nothing
 * from such a manifest runs.
 */
export class ManifestIntegrityError extends ConfigurationError {
  readonly reason = 'manifest_integrity';
  /** The first tool that failed. */
  readonly tool: string;

  constructor(
    readonly origin: string,
    /** Every tool (`Class.method`) whose entry failed, in manifest order. */
    readonly tools: readonly string[],
    detail: string,
  ) {
    const first = tools[0] as string;
    super(
      `tool ${first}${tools.length > 1 ? ` (and ${tools.slice(1).join(', ')})` : ''} in ${origin} ${detail}: ` +
        `the manifest was changed after kestrion-compile wrote it; ${RECOMPILE}`,
    );
    this.tool = first;
  }
}

/**
 * A manifest entry's schema is not valid JSON Schema as Kestrion validates it (ajv, draft
 * 2020-12, strict: unknown keywords, ignored keywords, invalid values are errors). Refused when
 * the manifest is loaded, so no run fails on it midway.
 */
export class InvalidManifestSchemaError extends ConfigurationError {
  readonly reason = 'manifest_schema';

  constructor(
    readonly origin: string,
    readonly tool: string,
    readonly part: 'parameters' | 'returns',
    readonly detail: string,
    options: { cause?: unknown } = {},
  ) {
    super(
      `tool ${tool} in ${origin}: its ${part} schema is not valid JSON Schema (${detail}); ${RECOMPILE}, and report it if the compiler wrote this`,
      options,
    );
  }
}
