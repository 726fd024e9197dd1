import * as path from 'node:path';
import { ConfigurationError, type ToolManifest, type ToolManifestEntry } from '@kestrion/core';
import { toolMetadataOf, type ResolvedToolMetadata } from '../decorators/tool-metadata';
import { COMPILE_COMMAND, MANIFEST_ENV_VAR } from '../manifest/compile-command';
import { findManifest } from '../manifest/find-manifest';
import { assertManifest, loadManifest } from '../manifest/load-manifest';
import type { ToolOptions } from '../decorators/tool-options';
import type { BoundTool, ToolContext } from './bound-tool';
import { declaredParameters } from './declared-parameters';

/** Options of {@link toolsOf}. */
export interface ToolsOfOptions {
  /** The manifest itself, or a path to it. Default: `$KESTRION_MANIFEST`, else a search (see `toolsOf`). */
  manifest?: ToolManifest | string;
  /** Where relative paths and the last search start. Default: `process.cwd()`. */
  cwd?: string;
}

/**
 * The tools of an agent instance: each `@tool` method paired with its manifest entry.
 *
 * The manifest comes from `options.manifest`, else `$KESTRION_MANIFEST`, else the first
 * `kestrion.manifest.json` found walking up from the module that declared the class (so code
 * compiled into `dist/` finds the manifest at the project root), then from the cwd.
 *
 * Throws {@link ConfigurationError}, naming `npx kestrion-compile --project tsconfig.json`, when
 * the manifest is missing, a tool has no entry, or an entry is stale. The runtime cannot
 * recompute the TypeScript signature hash, so staleness is checked on what JavaScript still
 * shows: the tool name, the method's declared parameter names (from its source text, when it
 * is a plain list) against the manifest's parameter names and order, and `Function.length`
 * (parameters before the first default) which may not exceed the manifest's count. One extra
 * trailing declared parameter is allowed: the {@link ToolContext}.
 */
export function toolsOf(instance: object, options: ToolsOfOptions = {}): BoundTool[] {
  const ctor = instance.constructor as abstract new (...args: never[]) => unknown;
  const metas = toolMetadataOf(ctor);
  if (metas.length === 0)
    throw new ConfigurationError(
      `${ctor.name} has no @tool methods; decorate the methods the model may call`,
    );
  const { manifest, origin } = resolveManifest(metas, options);
  return metas.map((meta) => bindTool(instance, meta, manifest, origin));
}

function resolveManifest(
  metas: readonly ResolvedToolMetadata[],
  options: ToolsOfOptions,
): { manifest: ToolManifest; origin: string } {
  if (typeof options.manifest === 'object')
    return { manifest: assertManifest(options.manifest, 'the given manifest'), origin: 'the given manifest' };
  const startDirs = [
    ...new Set(metas.flatMap((m) => (m.declaredIn === undefined ? [] : [path.dirname(m.declaredIn)]))),
  ];
  const search = findManifest(options.manifest, startDirs, options.cwd);
  if (search.found === undefined)
    throw new ConfigurationError(
      `no tool manifest found (tried ${search.tried.slice(0, 6).join(', ')}${search.tried.length > 6 ? ', …' : ''}); ` +
        `run \`${COMPILE_COMMAND}\`, or point ${MANIFEST_ENV_VAR} at the manifest`,
    );
  return { manifest: loadManifest(search.found), origin: search.found };
}

function bindTool(
  instance: object,
  meta: ResolvedToolMetadata,
  manifest: ToolManifest,
  origin: string,
): BoundTool {
  const key = `${meta.className}.${meta.method}`;
  const entry: ToolManifestEntry | undefined = manifest.tools[key];
  const stale = (why: string): ConfigurationError =>
    new ConfigurationError(
      `tool ${key} ${why} in ${origin}; the manifest is stale: run \`${COMPILE_COMMAND}\``,
    );
  if (entry === undefined) throw stale('has no schema');
  const method = (instance as Record<string, unknown>)[meta.method];
  if (typeof method !== 'function') throw stale('is not a method of the instance');
  const fn = method as (...args: unknown[]) => unknown;
  const names = Object.keys((entry.parameters.properties ?? {}) as object);
  const expectedName = meta.options.name ?? meta.method;
  if (entry.name !== expectedName)
    throw stale(`is named ${JSON.stringify(expectedName)} but ${JSON.stringify(entry.name)}`);
  if (fn.length > names.length + 1)
    throw stale(
      `takes ${fn.length} parameters but the manifest lists ${names.length} (${names.join(', ') || 'none'})`,
    );
  const declared = declaredParameters(fn);
  if (declared !== undefined) {
    const own = declared.length === names.length + 1 ? declared.slice(0, names.length) : declared;
    if (own.length !== names.length || own.some((n, i) => n !== names[i]))
      throw stale(
        `declares parameters (${declared.join(', ')}) but the manifest lists (${names.join(', ')})`,
      );
  }
  return {
    key,
    name: entry.name,
    description: meta.options.description ?? entry.description,
    parameters: entry.parameters,
    returns: entry.returns,
    parameterNames: names,
    requiresApproval: meta.options.requiresApproval ?? false,
    idempotent: meta.options.idempotent ?? false,
    timeoutMs: meta.options.timeoutMs,
    ...approvalOptions(meta.options),
    invoke: async (args: object, ctx: ToolContext = {}) => {
      const record = args as Record<string, unknown>;
      const positional = names.map((n) =>
        Object.prototype.hasOwnProperty.call(record, n) ? record[n] : undefined,
      );
      return fn.apply(instance, [...positional, ctx]);
    },
  };
}

/** The approval options set on `@tool`, and only those (an absent one stays absent). */
function approvalOptions(
  o: ToolOptions,
): Pick<BoundTool, 'approvalTimeoutMs' | 'onApprovalTimeout' | 'onReject' | 'allowSameApprover'> {
  return {
    ...(o.approvalTimeoutMs !== undefined ? { approvalTimeoutMs: o.approvalTimeoutMs } : {}),
    ...(o.onApprovalTimeout !== undefined ? { onApprovalTimeout: o.onApprovalTimeout } : {}),
    ...(o.onReject !== undefined ? { onReject: o.onReject } : {}),
    ...(o.allowSameApprover !== undefined ? { allowSameApprover: o.allowSameApprover } : {}),
  };
}
