import {
  ToolOutcomeUnknown,
  type ApprovalRequirement,
  type Json,
  type JsonObject,
  type ToolDefinition,
  type ToolIdentity,
  type ToolInvocation,
  type ToolReturn,
} from '@kestrion/core';
import { McpToolError } from '../errors/mcp-errors';
import type { McpServerConnection } from './server-connection';
import type { McpToolOverride } from './server-config';
import { resolvePolicy } from './tool-policy';
import { type McpBlobSink, recordableResult, resultText } from './tool-result';

const EMPTY_OBJECT_SCHEMA = { type: 'object', properties: {} };

/**
 * One MCP server tool as an engine tool definition. Its schema, policy and idempotence are read
 * from the server's current listing each time the engine asks (a listing refreshed at reconnects,
 * on `tools/list_changed`, and when a call's identity is checked), with the configuration's
 * overrides on top; what the model is offered (name, description) is fixed when it is built.
 */
export class McpTool implements ToolDefinition {
  readonly name: string;
  readonly description: string;
  private schemaSource: object | undefined;
  private schema: JsonObject = EMPTY_OBJECT_SCHEMA;

  constructor(
    private readonly connection: McpServerConnection,
    /** The tool's name on its server. */
    readonly serverTool: string,
    exposedName: string,
    override: McpToolOverride,
    private readonly overrides: Record<string, McpToolOverride> | undefined,
    private readonly blobs: McpBlobSink | undefined,
  ) {
    const listed = connection.tools.get(serverTool);
    this.name = exposedName;
    this.description = override.description ?? listed?.description ?? listed?.title ?? '';
  }

  /** The server's input schema for the tool (without its `$schema` dialect marker). */
  get parameters(): JsonObject {
    const source = this.connection.tools.get(this.serverTool)?.inputSchema;
    if (source !== this.schemaSource) {
      this.schemaSource = source;
      // One object per listing: the validator compiles each schema object once.
      const { $schema: _dialect, ...rest } = (source ?? EMPTY_OBJECT_SCHEMA) as JsonObject;
      this.schema = rest;
    }
    return this.schema;
  }

  get requiresApproval(): ApprovalRequirement {
    return resolvePolicy(
      this.serverTool,
      this.connection.tools.get(this.serverTool)?.annotations,
      this.overrides,
    ).requiresApproval;
  }

  get idempotent(): boolean {
    return resolvePolicy(
      this.serverTool,
      this.connection.tools.get(this.serverTool)?.annotations,
      this.overrides,
    ).idempotent;
  }

  /** The tool's identity as its server lists it now: pinned into each call, checked before it runs. */
  readonly identity = (): Promise<ToolIdentity> => this.connection.identityOf(this.serverTool);

  readonly invoke = async (args: Json, call: ToolInvocation): Promise<ToolReturn> => {
    const outcome = await this.connection.call(this.serverTool, (args ?? {}) as JsonObject, {
      signal: call.signal,
      idempotencyKey: call.idempotencyKey,
      repeatable: this.idempotent,
    });
    if (outcome.kind === 'unknown') return new ToolOutcomeUnknown(outcome.reason);
    const result = outcome.result;
    if (result.isError) throw new McpToolError(this.connection.name, this.serverTool, resultText(result));
    return recordableResult(result, { server: this.connection.name, tool: this.serverTool }, this.blobs);
  };
}
