import { ConfigurationError } from '@kestrion/core';
import { COMPILE_COMMAND, MANIFEST_ENV_VAR, MANIFEST_FILE_NAME } from './compile-command';

const RECOMPILE = `re-run \`${COMPILE_COMMAND}\` (never edit the manifest by hand)`;

/** What each older format lacks, for the "recompile" message. */
const OLDER_FORMATS: Record<number, string> = {
  1: 'without integrity hashes, parameter order or agent ids',
  2: 'without the parameter order and agent ids the runtime now maps arguments by',
};

/**
 * The manifest is not in the format this runtime reads: an older compiler wrote it (version 1
 * has no integrity hashes, version 2 no parameter order or agent ids), a newer one, or it is
 * not a manifest at all.
 */
export class ManifestVersionError extends ConfigurationError {
  readonly reason = 'manifest_version';

  constructor(
    /** The manifest file, or `the given manifest` for an object. */
    readonly origin: string,
    readonly found: unknown,
    readonly supported: number,
  ) {
    super(versionMessage(origin, found, supported));
  }
}

function versionMessage(origin: string, found: unknown, supported: number): string {
  if (typeof found === 'number' && found < supported) {
    const lacks = OLDER_FORMATS[found];
    return `${origin} is a version-${found} Kestrion tool manifest, written by an older kestrion-compile${lacks === undefined ? '' : ` ${lacks}`}; this runtime reads version ${supported}: ${RECOMPILE}`;
  }
  if (typeof found === 'number' && found > supported)
    return `${origin} is a version-${found} Kestrion tool manifest, newer than this @kestrion/agent reads (version ${supported}); upgrade @kestrion/agent or compile with the matching @kestrion/compiler`;
  return `${origin} is not a version-${supported} Kestrion tool manifest; regenerate it: ${RECOMPILE}`;
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
    /** Every tool (its manifest key, `<agent id>.<method>`) whose entry failed, in manifest order. */
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

/**
 * No manifest where the runtime looks: the `manifest` option, else `$KESTRION_MANIFEST`, else
 * `kestrion.manifest.json` in the working directory. Never searched for anywhere else.
 */
export class ManifestNotFoundError extends ConfigurationError {
  readonly reason = 'manifest_not_found';

  constructor(
    /** The file that was looked for. */
    readonly file: string,
    /** Where the path came from: `the manifest option`, `$KESTRION_MANIFEST` or `the working directory`. */
    readonly from: string,
  ) {
    super(
      from === 'the working directory'
        ? `no tool manifest: ${file} does not exist (the runtime looks only in the working directory when neither the \`manifest\` option nor ${MANIFEST_ENV_VAR} is set); ` +
            `pass { manifest } (a path, or the JSON itself: \`import manifest from './${MANIFEST_FILE_NAME}'\`), set ${MANIFEST_ENV_VAR}, or run \`${COMPILE_COMMAND}\` here`
        : `no tool manifest at ${file} (from ${from}); run \`${COMPILE_COMMAND}\`, or point ${from} at the file it writes`,
    );
  }
}

/**
 * The manifest lists no tools under the agent id of a class: the id is the class's own
 * `@agent({ name })`, else its class name, and a minifier or bundler renames classes. The
 * message suggests the id the manifest has for the same methods.
 */
export class AgentNotInManifestError extends ConfigurationError {
  readonly reason = 'manifest_agent_missing';

  constructor(
    readonly origin: string,
    /** The id the runtime looked for. */
    readonly agent: string,
    /** Whether `agent` came from `@agent({ name })` (else it is the class name). */
    named: boolean,
    /** The agent ids the manifest has. */
    readonly known: readonly string[],
    /** An id in the manifest with exactly the class's tool methods, if there is one. */
    readonly likely: string | undefined,
  ) {
    const listed = known.length === 0 ? 'it lists no agents' : `it lists ${known.join(', ')}`;
    super(
      named
        ? `agent ${JSON.stringify(agent)} (from @agent({ name })) has no tools in ${origin} (${listed}); the manifest was compiled before the name was set or changed: ${RECOMPILE}`
        : `class ${JSON.stringify(agent)} has no tools in ${origin} (${listed}). Without @agent({ name }) the manifest keys a class by its class name, which minifiers and bundlers rename` +
            (likely === undefined
              ? `; give the class a stable id with @agent({ name: '...' }) and ${RECOMPILE}`
              : `: the class looks like ${JSON.stringify(likely)}; add @agent({ name: '${likely}', ... }) to it and ${RECOMPILE}`),
    );
  }
}

/**
 * The code no longer matches its manifest: a tool was added, a method's parameters changed,
 * or a tool was renamed since `kestrion-compile` last ran. The message says what changed.
 */
export class StaleManifestError extends ConfigurationError {
  readonly reason = 'manifest_stale';

  constructor(
    readonly origin: string,
    /** The agent id. */
    readonly agent: string,
    /** The method name. */
    readonly tool: string,
    /** What changed, e.g. `the method now takes 3 parameters (amount, reason, ctx) but the manifest lists 2 (amount, reason)`. */
    readonly change: string,
  ) {
    super(`tool ${tool} of agent ${agent}: ${change} (in ${origin}); the manifest is stale: ${RECOMPILE}`);
  }
}
