import type { Agent, AgentRun } from '@kestrion/agent';
import {
  InvalidArgumentsError,
  InvalidDecisionError,
  UnknownToolError,
  UsageError,
  type StoredEvent,
} from '@kestrion/core';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  type CallToolResult,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { COMPANION_TOOLS, agentTools, runToolName } from './agent-tools';
import { askForApprovals, decisionRole } from './approval-elicitation';
import type { McpIdentity } from './identity';
import { errorReport, runReport } from './run-report';

/** What a request handler of this server is handed by the SDK. */
export type McpRequestExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** How an agent is served, whatever the transport. */
export interface AgentMcpServerOptions {
  /**
   * Who is calling, for one request: from the verified bearer token (HTTP) or the server's
   * configuration (stdio). Never from tool arguments. Undefined: the caller may run and read,
   * but not decide.
   */
  identify(extra: McpRequestExtra): McpIdentity | undefined;
  /** The run tool's description (default: what it does and how approvals come back). */
  description?: string;
  /**
   * When a run parks for approval and the client can be asked (MCP elicitation), ask the person
   * at the client to approve or reject each pending call they may decide (default true).
   */
  elicitApprovals?: boolean;
  /** How the server introduces itself (default: the agent's name, 0.1.0). */
  serverInfo?: { name: string; version: string };
}

/**
 * An agent as a low-level MCP `Server` (from `@modelcontextprotocol/sdk`): the run tool and its
 * companions (`get_status`, `approve`, `reject`, `resume`), progress notifications while a run
 * is driven when the request carries a progress token, and approvals asked through elicitation.
 * Connect it to any transport; `serveAgent` does so for stdio and Streamable HTTP.
 */
export function createAgentMcpServer(agent: Agent, options: AgentMcpServerOptions): Server {
  const server = new Server(options.serverInfo ?? { name: agent.name, version: '0.1.0' }, {
    capabilities: { tools: {} },
    instructions: `Runs the ${agent.name} agent. A run that needs a person's approval parks and returns its run id; decide with ${COMPANION_TOOLS.approve} / ${COMPANION_TOOLS.reject} (as the identity of your credentials).`,
  });
  const tools = agentTools(agent.name, options.description);
  const runTool = runToolName(agent.name);
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    const who = options.identify(extra);
    const progress = progressReporter(extra);
    const tool = tools.find((t) => t.name === request.params.name);
    // Only the declared arguments: who decides is never an argument (`by`, `role` are refused).
    const extraArg =
      tool && Object.keys(args).find((k) => !Object.hasOwn(tool.inputSchema.properties ?? {}, k));
    if (tool && extraArg !== undefined)
      return errorReport(
        new InvalidArgumentsError(tool.name, `${tool.name} takes no argument ${JSON.stringify(extraArg)}`),
      );
    const settle = async (run: AgentRun): Promise<CallToolResult> => {
      const canAsk =
        options.elicitApprovals !== false && server.getClientCapabilities()?.elicitation !== undefined;
      const settled =
        canAsk && who
          ? await askForApprovals(server, agent, run, who, extra, (id) => drive(agent, id, progress))
          : run;
      return runReport(settled);
    };
    try {
      switch (request.params.name) {
        case runTool:
          return await settle(await drive(agent, stringArg(args, 'input'), progress));
        case COMPANION_TOOLS.status:
          return runReport(await agent.get(stringArg(args, 'runId')));
        case COMPANION_TOOLS.resume:
          return await settle(await drive(agent, { runId: stringArg(args, 'runId') }, progress));
        case COMPANION_TOOLS.approve:
        case COMPANION_TOOLS.reject: {
          const decider = requireIdentity(who);
          const runId = stringArg(args, 'runId');
          const callId = optionalString(args, 'callId');
          const pending = (await agent.get(runId)).pending;
          const call =
            callId === undefined && pending.length === 1
              ? pending[0]
              : pending.find((p) => p.callId === callId);
          const role = call ? decisionRole(call, decider) : undefined;
          const base = {
            by: decider.identity,
            ...(callId !== undefined ? { callId } : {}),
            ...(typeof role === 'string' ? { role } : {}),
          };
          const decided =
            request.params.name === COMPANION_TOOLS.approve
              ? await agent.approve(runId, { ...base, ...optional(args, 'argsHash') })
              : await agent.reject(runId, { ...base, ...optional(args, 'reason') });
          return await settle(
            decided.status === 'pending' ? await drive(agent, { runId }, progress) : decided,
          );
        }
        default:
          return errorReport(
            new UnknownToolError(
              request.params.name,
              tools.map((t) => t.name),
            ),
          );
      }
    } catch (error) {
      return errorReport(error);
    }
  });
  return server;
}

/** Reports a request's progress: one notification per durable event, numbered across the request. */
export interface ProgressReporter {
  /** Whether the request asked for progress (it carries a progress token). */
  readonly wanted: boolean;
  report(e: StoredEvent): Promise<void>;
}

export function progressReporter(extra: McpRequestExtra): ProgressReporter {
  const token = extra._meta?.progressToken;
  let progress = 0;
  return {
    wanted: token !== undefined,
    report: async (e) => {
      if (token === undefined || extra.signal.aborted) return;
      progress += 1;
      await extra
        .sendNotification({
          method: 'notifications/progress',
          params: { progressToken: token, progress, message: describeEvent(e) },
        })
        .catch(() => undefined);
    },
  };
}

/**
 * Runs (a new input) or resumes (`{ runId }`) the agent until it ends or parks. When the request
 * asked for progress, every durable event of the run is reported as a progress notification.
 */
export async function drive(
  agent: Agent,
  target: string | { runId: string },
  progress: ProgressReporter,
): Promise<AgentRun> {
  if (!progress.wanted) return typeof target === 'string' ? agent.run(target) : agent.resume(target.runId);
  for await (const item of agent.stream(target)) {
    if (item.type === 'done') return item.run;
    if (item.type === 'event') await progress.report(item.event);
  }
  // agent.stream() ends with a 'done' item; its end without one is a broken contract, not a run outcome.
  throw new UsageError(
    `agent.stream() ended without its 'done' item (${typeof target === 'string' ? 'new run' : `run ${target.runId}`}): a bug in @kestrion/agent, please report it`,
  );
}

function describeEvent(e: StoredEvent): string {
  const d = e.data as { tool?: unknown; node?: unknown };
  const detail = typeof d.tool === 'string' ? ` ${d.tool}` : typeof d.node === 'string' ? ` ${d.node}` : '';
  return `${e.type}${detail}`;
}

function requireIdentity(who: McpIdentity | undefined): McpIdentity {
  if (!who)
    throw new InvalidDecisionError(
      'this server has no identity for the caller, so it cannot record who decides; serve over HTTP with tokens, or give the stdio server an identity',
    );
  return who;
}

function stringArg(args: Record<string, unknown>, key: string): string {
  const v = args[key];
  if (typeof v !== 'string' || v === '')
    throw new InvalidArgumentsError(key, `${key} must be a non-empty string`);
  return v;
}

function optionalString(args: Record<string, unknown>, key: string): string | undefined {
  const v = args[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new InvalidArgumentsError(key, `${key} must be a string`);
  return v;
}

function optional(args: Record<string, unknown>, key: string): Record<string, string> {
  const v = optionalString(args, key);
  return v === undefined ? {} : { [key]: v };
}
