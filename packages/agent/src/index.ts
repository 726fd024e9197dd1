// @kestrion/agent — the public API. Every export here is a decision; keep the list explicit.
export { tool } from './decorators/tool';
export type { ToolDecorator } from './decorators/tool';
export { agent } from './decorators/agent';
export type { AgentDecorator } from './decorators/agent';
export type { ToolOptions, AgentOptions, ApprovalRequirement } from './decorators/tool-options';
export { DecoratorUsageError } from './decorators/decorator-usage-error';
export {
  toolMetadataOf,
  agentMetadataOf,
  TOOLS_METADATA_KEY,
  AGENT_METADATA_KEY,
} from './decorators/tool-metadata';
export { agentIdOf } from './decorators/agent-id';
export type { AgentId } from './decorators/agent-id';
export type { ToolMetadata, ResolvedToolMetadata, AgentMetadata } from './decorators/tool-metadata';
export { COMPILE_COMMAND, MANIFEST_FILE_NAME, MANIFEST_ENV_VAR } from './manifest/compile-command';
export { findManifest } from './manifest/find-manifest';
export type { ManifestLocation } from './manifest/find-manifest';
export { resolveManifest } from './manifest/resolve-manifest';
export type { ManifestJson, ManifestSource, ResolvedManifest } from './manifest/resolve-manifest';
export { loadManifest } from './manifest/load-manifest';
export { verifyManifest } from './manifest/verify-manifest';
export { toolEntryHash, sealToolManifest, MANIFEST_VERSION } from './manifest/entry-hash';
export {
  ManifestVersionError,
  ManifestIntegrityError,
  InvalidManifestSchemaError,
  ManifestNotFoundError,
  AgentNotInManifestError,
  StaleManifestError,
} from './manifest/manifest-errors';
export { toolsOf } from './tools/tools-of';
export type { ToolsOfOptions } from './tools/tools-of';
export type { BoundTool, ToolContext } from './tools/bound-tool';
export { validateArgs } from './tools/validate-args';
export type { ArgsValidation } from './tools/validate-args';
export { Agent } from './runtime/agent';
export type { AgentRun, AgentRunOptions, AgentSubmitOptions, AgentStreamItem } from './runtime/agent';
export { toolSpecsFor } from './runtime/tool-specs';
export type { AgentRuntimeOptions } from './runtime/agent-options';
export { agentGraph, AgentLimitError, HANDOFF_PREFIX } from './runtime/agent-graph';
export type { AgentGraphSpec, AgentPersona } from './runtime/agent-graph';
export { ajvValidator } from './runtime/ajv-validator';
