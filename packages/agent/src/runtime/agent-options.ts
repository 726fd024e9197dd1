import type { Clock, IdGenerator, Provider, Store, ToolDefinition } from '@kestrion/core';
import type { ManifestSource } from '../manifest/resolve-manifest';
import type { Agent } from './agent';

export interface AgentRuntimeOptions {
  provider: Provider;
  /** A Store, or a URL opened with @kestrion/store (`sqlite://file.db`, `postgres://…`). */
  store: Store | string;
  /** The model name handed to the provider. */
  model: string;
  /** Overrides the @agent instructions (the system prompt). */
  instructions?: string;
  /** The agent's name in runs (default: @agent name, else the class name). */
  name?: string;
  /** Model turns before the run fails (default 20). */
  maxTurns?: number;
  /**
   * Node visits before the run fails: the engine's `RunLimits.maxSteps`, default 1,000 (each
   * model turn is two visits, model and tools, so `maxTurns` binds first unless raised past ~500).
   */
  maxSteps?: number;
  maxCostUsd?: number;
  /** Consecutive turns with invalid or unknown tool calls before the run fails (default 3). */
  maxRepairs?: number;
  /** After an answer, wait for the next user message (`send`) instead of completing. */
  multiTurn?: boolean;
  /**
   * The tool manifest kestrion-compile wrote: the JSON itself (`import manifest from
   * './kestrion.manifest.json'`, or `require`), a `ToolManifest`, or a path to the file. Default:
   * the file `$KESTRION_MANIFEST` names, else `kestrion.manifest.json` in the working directory;
   * it is never searched for elsewhere. Pass it explicitly in bundled or deployed code.
   */
  manifest?: ManifestSource;
  /**
   * Engine tool definitions offered to the model besides the decorated methods: tools that are
   * not methods of this class, such as an MCP server's (`@kestrion/mcp`). Each keeps its own
   * policy (`requiresApproval`, `idempotent`, ...) and JSON Schema `parameters`; names must not
   * clash with the decorated tools'.
   */
  tools?: ToolDefinition[];
  /** Agents offered to this one's model as tools (sub-agents with their own linked runs). */
  agents?: Agent[];
  /** Agents the conversation can be handed to (`transfer_to_<name>`), same run, same messages. */
  handoffs?: Agent[];
  clock?: Clock;
  ids?: IdGenerator;
  owner?: string;
  leaseTtlMs?: number;
}
