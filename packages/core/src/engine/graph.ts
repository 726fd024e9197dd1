import { ConfigurationError } from '../errors';
import type { StatePatch } from '../events/event-types';
import type { ModelRequest, ModelResponse } from '../providers/provider';
import type { Json, JsonObject } from '../util/json';
import type { ToolCallRequest, ToolDefinition, ToolResult } from './tool-definition';

/** The node name that ends a run. */
export const END = '__end__';

/** What a node returns: where to go next, and the state delta to record with the transition. */
export type NodeResult =
  | { next: string; patch?: StatePatch }
  | { next: typeof END; output: Json; patch?: StatePatch }
  /** Park until `send` delivers the next user message; the node runs again afterwards. */
  | { waitForInput: true; patch?: StatePatch };

/** What node code can see and do. Every effect goes through here so it is journaled. */
export interface NodeContext {
  readonly runId: string;
  readonly node: string;
  /** The node visit number (1-based across the run): the first half of every step key. */
  readonly visit: number;
  readonly input: Json;
  /** Messages delivered with `send` after the start, oldest first. */
  readonly inbox: readonly Json[];
  /** The graph state (read-only: change it by returning a patch). */
  readonly state: Readonly<JsonObject>;
  /** Calls one tool through the full protocol (validation, approval gate, journal). */
  callTool(tool: string, args: Json): Promise<ToolResult>;
  /**
   * Calls several tools as one batch: every gated call is checked before any call of the
   * batch runs; the ungated and approved ones then run concurrently.
   */
  callTools(calls: ToolCallRequest[]): Promise<ToolResult[]>;
  /** Calls the engine's model provider; a recorded response is returned, never requested again. */
  callModel(request: ModelRequest): Promise<ModelResponse>;
  readonly signal: AbortSignal;
}

export type NodeFn = (ctx: NodeContext) => Promise<NodeResult> | NodeResult;

/**
 * A run's program: named nodes, the node to start at, and the tools nodes may call. Node
 * code must be deterministic given the state, inputs and recorded step results: on resume
 * after a crash a node runs again and its recorded steps replay.
 */
export interface Graph {
  name: string;
  start: string;
  nodes: Record<string, NodeFn>;
  tools?: ToolDefinition[];
}

export function defineGraph(graph: Graph): Graph {
  if (!(graph.start in graph.nodes))
    throw new ConfigurationError(`graph ${graph.name}: start node ${graph.start} is not among its nodes`);
  return graph;
}
