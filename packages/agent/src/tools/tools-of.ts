import 'reflect-metadata';
import { ConfigurationError, type ToolManifest, type ToolManifestEntry } from '@kestrion/core';
import { agentIdOf, type AgentId } from '../decorators/agent-id';
import { toolMetadataOf, type ResolvedToolMetadata } from '../decorators/tool-metadata';
import type { ToolOptions } from '../decorators/tool-options';
import { AgentNotInManifestError, StaleManifestError } from '../manifest/manifest-errors';
import { resolveManifest, type ManifestSource } from '../manifest/resolve-manifest';
import type { BoundTool, ToolContext } from './bound-tool';
import { runtimeSignature, signatureChange } from './signature-check';

/** Options of {@link toolsOf}. */
export interface ToolsOfOptions {
  /**
   * The manifest itself (a `ToolManifest`, or the JSON imported from `kestrion.manifest.json`),
   * or a path to it. Default: `$KESTRION_MANIFEST`, else `kestrion.manifest.json` in `cwd`.
   */
  manifest?: ManifestSource;
  /** Where relative paths resolve, and where the default manifest is. Default: `process.cwd()`. */
  cwd?: string;
}

/**
 * The tools of an agent instance: each `@tool` method paired with its manifest entry, found
 * under `<agent id>.<method>` (the id is the class's own `@agent({ name })`, else its class
 * name; see `agentIdOf`).
 *
 * The manifest is the contract: the arguments a model gives are passed to the method in the
 * order of the entry's `parameterNames`, and the `ToolContext` at its `contextIndex`. The
 * method itself is only checked for signs of an edit made without recompiling (see
 * `signatureChange`), never read for names, so minified code runs as written.
 *
 * Throws (each a `ConfigurationError` naming `kestrion-compile`): `ManifestNotFoundError`,
 * the load errors of `verifyManifest`, {@link AgentNotInManifestError} when the manifest has no
 * tools under the class's id (a class renamed by a minifier), {@link StaleManifestError} when a
 * tool is missing, renamed or takes other parameters than its entry lists.
 */
export function toolsOf(instance: object, options: ToolsOfOptions = {}): BoundTool[] {
  const ctor = instance.constructor as abstract new (...args: never[]) => unknown;
  const metas = toolMetadataOf(ctor);
  if (metas.length === 0)
    throw new ConfigurationError(
      `${ctor.name} has no @tool methods; decorate the methods the model may call`,
    );
  const { manifest, origin } = resolveManifest(options.manifest, options.cwd);
  const agent = agentIdOf(ctor);
  checkAgentListed(manifest, origin, agent, metas);
  return metas.map((meta) => bindTool(instance, meta, manifest, origin, agent.id));
}

/** Every agent id in a manifest, with the method names listed under it. */
function agentsIn(manifest: ToolManifest): Map<string, Set<string>> {
  const agents = new Map<string, Set<string>>();
  for (const key of Object.keys(manifest.tools)) {
    const dot = key.lastIndexOf('.');
    const id = key.slice(0, dot);
    agents.set(id, (agents.get(id) ?? new Set()).add(key.slice(dot + 1)));
  }
  return agents;
}

function checkAgentListed(
  manifest: ToolManifest,
  origin: string,
  agent: AgentId,
  metas: readonly ResolvedToolMetadata[],
): void {
  const agents = agentsIn(manifest);
  if (agents.has(agent.id)) return;
  const methods = new Set(metas.map((m) => m.method));
  const alike = [...agents].filter(
    ([, listed]) => listed.size === methods.size && [...listed].every((m) => methods.has(m)),
  );
  const likely = alike.length === 1 ? alike[0]?.[0] : undefined;
  throw new AgentNotInManifestError(origin, agent.id, agent.named, [...agents.keys()], likely);
}

function bindTool(
  instance: object,
  meta: ResolvedToolMetadata,
  manifest: ToolManifest,
  origin: string,
  agentId: string,
): BoundTool {
  const key = `${agentId}.${meta.method}`;
  const stale = (change: string): StaleManifestError =>
    new StaleManifestError(origin, agentId, meta.method, change);
  const entry: ToolManifestEntry | undefined = manifest.tools[key];
  if (entry === undefined) throw stale(`it is not in the manifest (no entry ${JSON.stringify(key)})`);
  const method = (instance as Record<string, unknown>)[meta.method];
  if (typeof method !== 'function') throw stale('it is not a method of the instance');
  const fn = method as (...args: unknown[]) => unknown;
  const expectedName = meta.options.name ?? meta.method;
  if (entry.name !== expectedName)
    throw stale(
      `the code names it ${JSON.stringify(expectedName)} but the manifest ${JSON.stringify(entry.name)}`,
    );
  const designTypes: unknown = Reflect.getMetadata('design:paramtypes', instance, meta.method);
  const change = signatureChange(entry, runtimeSignature(fn, designTypes));
  if (change !== undefined) throw stale(change);
  const slots = argumentSlots(entry);
  return {
    key,
    name: entry.name,
    description: meta.options.description ?? entry.description,
    parameters: entry.parameters,
    returns: entry.returns,
    parameterNames: entry.parameterNames,
    requiresApproval: meta.options.requiresApproval ?? false,
    idempotent: meta.options.idempotent ?? false,
    timeoutMs: meta.options.timeoutMs,
    ...approvalOptions(meta.options),
    invoke: async (args: object, ctx: ToolContext = {}) => {
      const record = args as Record<string, unknown>;
      const positional = slots.map((name) =>
        name === null ? ctx : Object.prototype.hasOwnProperty.call(record, name) ? record[name] : undefined,
      );
      return fn.apply(instance, positional);
    },
  };
}

/**
 * The method's parameter list as the manifest gives it: an argument name per position, `null`
 * where the ToolContext goes. A method that takes no context is not handed one.
 */
function argumentSlots(entry: ToolManifestEntry): (string | null)[] {
  const slots: (string | null)[] = [...entry.parameterNames];
  if (entry.contextIndex !== null) slots.splice(entry.contextIndex, 0, null);
  return slots;
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
