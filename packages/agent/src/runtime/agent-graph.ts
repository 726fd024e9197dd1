import {
  END,
  KestrionError,
  defineGraph,
  type Graph,
  type Json,
  type JsonObject,
  type ModelToolCall,
  type ModelToolSpec,
  type NodeContext,
  type Provider,
  type ToolDefinition,
  type ToolResult,
} from '@kestrion/core';
import { asMessages, isRepairable, malformedMessage, toolMessage } from './agent-messages';

/** One agent's face in a graph: what the model is told and which tools it is offered. */
export interface AgentPersona {
  name: string;
  instructions: string;
  /** The tools as offered to the model, in the view of the provider that made them. */
  specs: ModelToolSpec[];
  /**
   * The same provider's mapping of arguments back from its view (`Provider.normalizeToolArguments`),
   * applied before validation; absent when its view needs none.
   */
  normalizeToolArguments?: Provider['normalizeToolArguments'];
}

export interface AgentGraphSpec {
  /** The agent the run starts with; its name names the graph. */
  root: AgentPersona;
  /** Agents the conversation can be handed to (and back), each offered as `transfer_to_<name>`. */
  handoffs: AgentPersona[];
  model: string;
  /** Every tool of every persona (names are unique across them). */
  tools: ToolDefinition[];
  maxTurns: number;
  maxRepairs: number;
  multiTurn: boolean;
}

/**
 * The agent's model misbehaved past the repair budget (`model_misbehaviour`), or ran out of
 * turns (`limit_exceeded`). Codes from core's closed table (docs/errors.md).
 */
export class AgentLimitError extends KestrionError {
  constructor(code: 'limit_exceeded' | 'model_misbehaviour', message: string) {
    super(code, message);
  }
}

export const HANDOFF_PREFIX = 'transfer_to_';

function handoffSpec(to: AgentPersona): ModelToolSpec {
  return {
    name: `${HANDOFF_PREFIX}${to.name}`,
    description: `Hand the conversation to ${to.name}, who continues it with its own instructions and tools.`,
    parameters: { type: 'object', properties: {}, additionalProperties: false },
  };
}

/**
 * The tool loop as engine nodes: `model` asks the model (journaled; a recorded answer is
 * never requested again), `tools` runs its tool calls through the engine's protocol
 * (validation, gates, journal) as one batch, `await_input` parks for the next user turn.
 * A `transfer_to_<agent>` call is a handoff: the same conversation goes on under the other
 * agent's instructions and tools. Messages are derived from the run state (so from the log).
 */
export function agentGraph(spec: AgentGraphSpec): Graph {
  const personas = new Map([spec.root, ...spec.handoffs].map((p) => [p.name, p]));
  const offered = (p: AgentPersona): ModelToolSpec[] => [
    ...p.specs,
    ...[...personas.values()].filter((o) => o.name !== p.name && spec.handoffs.length > 0).map(handoffSpec),
  ];

  const model = async (ctx: NodeContext) => {
    const turns = ((ctx.state.turns as number | undefined) ?? 0) + 1;
    if (turns > spec.maxTurns)
      throw new AgentLimitError('limit_exceeded', `maxTurns ${spec.maxTurns} reached without a final answer`);
    const active = personas.get((ctx.state.activeAgent as string | undefined) ?? spec.root.name) ?? spec.root;
    const consumed = (ctx.state.consumed as number | undefined) ?? 0;
    const fresh = [...(turns === 1 ? [ctx.input] : []), ...ctx.inbox.slice(consumed)].map((m) => ({
      role: 'user' as const,
      content: typeof m === 'string' ? m : JSON.stringify(m),
    }));
    const messages = [...asMessages(ctx.state.messages), ...fresh];
    const reply = await ctx.callModel({
      model: spec.model,
      system: active.instructions,
      messages,
      tools: offered(active),
    });
    const assistant = {
      role: 'assistant' as const,
      content: reply.text,
      ...(reply.toolCalls.length ? { toolCalls: reply.toolCalls } : {}),
    };
    // The calls are recorded once, in the assistant message: the `tools` node reads them there
    // (a copy in the state would store every argument twice in one event).
    const patch = {
      append: { messages: [...fresh, assistant] as unknown as Json[] },
      set: { turns, consumed: ctx.inbox.length, lastMessage: reply.text },
    };
    if (reply.toolCalls.length > 0) return { next: 'tools', patch };
    return spec.multiTurn ? { next: 'await_input', patch } : { next: END, output: reply.text, patch };
  };

  const tools = async (ctx: NodeContext) => {
    const calls = pendingCalls(ctx.state);
    const active = personas.get((ctx.state.activeAgent as string | undefined) ?? spec.root.name) ?? spec.root;
    const handoffTo = (c: ModelToolCall): string | undefined =>
      c.name.startsWith(HANDOFF_PREFIX) && personas.has(c.name.slice(HANDOFF_PREFIX.length))
        ? c.name.slice(HANDOFF_PREFIX.length)
        : undefined;
    const handoff = calls.find((c) => handoffTo(c) !== undefined);
    // Everything else goes through the engine's protocol, so a `transfer_to_<nobody>` is an
    // unknown tool like any other (sent back to the model, counted toward maxRepairs).
    const runnable = calls.filter((c) => !c.malformed && handoffTo(c) === undefined);
    const results = await ctx.callTools(
      runnable.map((c) => ({ tool: c.name, args: argumentsFor(active, c) })),
    );
    const byCall = new Map<ModelToolCall, ToolResult>(runnable.map((c, i) => [c, results[i] as ToolResult]));
    const messages = calls.map((c) => {
      const r = byCall.get(c);
      if (r) return toolMessage(c, r);
      if (c === handoff)
        return { role: 'tool', callId: c.id, name: c.name, content: `Transferred to ${handoffTo(c)}.` };
      if (c.malformed) return malformedMessage(c);
      return {
        role: 'tool',
        callId: c.id,
        name: c.name,
        isError: true,
        content: `Not transferred: this turn already hands the conversation to ${handoff ? handoffTo(handoff) : 'another agent'}.`,
      };
    });
    const bad = calls.some((c) => c.malformed) || results.some(isRepairable);
    const repairs = bad ? ((ctx.state.repairs as number | undefined) ?? 0) + 1 : 0;
    if (repairs > spec.maxRepairs)
      throw new AgentLimitError(
        'model_misbehaviour',
        `the model sent invalid or unknown tool calls ${repairs} turns in a row (maxRepairs ${spec.maxRepairs})`,
      );
    const set = {
      repairs,
      ...(handoff ? { activeAgent: handoffTo(handoff) as string } : {}),
    };
    // `pendingCalls` is only in the state of runs whose model turns were recorded by an older
    // version (which kept a copy of the calls there): cleared as it always was.
    const legacy: JsonObject = ctx.state.pendingCalls !== undefined ? { pendingCalls: [] } : {};
    return {
      next: 'model',
      patch: { append: { messages: messages as unknown as Json[] }, set: { ...legacy, ...set } },
    };
  };

  /**
   * The arguments the tool is called with: mapped back from the provider's view of the tool
   * (e.g. OpenAI strict mode's `null`s for optional properties) to the tool's own schema first.
   */
  const argumentsFor = (active: AgentPersona, call: ModelToolCall): Json => {
    const normalize = active.normalizeToolArguments;
    const offered = active.specs.find((s) => s.name === call.name);
    const definition = spec.tools.find((t) => t.name === call.name);
    if (!normalize || !offered || definition?.parameters === undefined) return call.arguments;
    const args = call.arguments;
    if (typeof args !== 'object' || args === null || Array.isArray(args)) return args;
    const tool = {
      name: definition.name,
      description: definition.description ?? '',
      parameters: definition.parameters,
    };
    return normalize(tool, offered, args);
  };

  const awaitInput = (ctx: NodeContext) =>
    ctx.inbox.length > ((ctx.state.consumed as number | undefined) ?? 0)
      ? { next: 'model' }
      : { waitForInput: true as const };

  return defineGraph({
    name: spec.root.name,
    start: 'model',
    tools: spec.tools,
    nodes: { model, tools, await_input: awaitInput },
  });
}

/**
 * The tool calls of the model turn just taken: those of the last assistant message. Runs
 * recorded by an older version kept a copy in `pendingCalls`; a non-empty one is used as is.
 */
function pendingCalls(state: Readonly<JsonObject>): ModelToolCall[] {
  const legacy = state.pendingCalls;
  if (Array.isArray(legacy) && legacy.length > 0) return legacy as unknown as ModelToolCall[];
  const last = asMessages(state.messages).at(-1);
  return last?.role === 'assistant' ? (last.toolCalls ?? []) : [];
}
