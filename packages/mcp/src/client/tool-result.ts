import { createHash } from 'node:crypto';
import type { Json, JsonObject } from '@kestrion/core';

/** Binary content (an image, audio, a blob resource) a tool returned: kept out of the log. */
export interface McpBlob {
  server: string;
  tool: string;
  mimeType: string;
  data: Buffer;
  /** `sha256:<hex>` of the bytes. */
  sha256: string;
}

/**
 * Where binary content goes instead of the log: returns a reference (a URL, a path, an object
 * key) recorded beside the blob's hash. Without one, only the hash, type and size are recorded.
 */
export type McpBlobSink = (blob: McpBlob) => string | Promise<string>;

/** The parts of an MCP `CallToolResult` this module reads. */
export interface McpCallResult {
  content?: Array<{ type: string; [key: string]: unknown }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/**
 * A tool result as it is recorded in the run's log (`tool.completed.result`) and shown to the
 * model: text as text, structured content as JSON, resource links as they are, and binary
 * content (images, audio, blob resources) as a reference `{ sha256, bytes, mimeType, ref? }`,
 * never the bytes.
 */
export async function recordableResult(
  result: McpCallResult,
  origin: { server: string; tool: string },
  sink?: McpBlobSink,
): Promise<JsonObject> {
  const content: Json[] = [];
  for (const item of result.content ?? []) content.push(await recordableContent(item, origin, sink));
  return {
    content,
    ...(result.structuredContent !== undefined
      ? { structuredContent: toJson(result.structuredContent) }
      : {}),
  };
}

/** The text of a result (its text parts, one per line): the message of a failed call. */
export function resultText(result: McpCallResult): string {
  const texts = (result.content ?? []).flatMap((c) =>
    c.type === 'text' && typeof c.text === 'string' ? [c.text] : [],
  );
  return texts.join('\n') || '(no text)';
}

async function recordableContent(
  item: { type: string; [key: string]: unknown },
  origin: { server: string; tool: string },
  sink: McpBlobSink | undefined,
): Promise<Json> {
  switch (item.type) {
    case 'text':
      return { type: 'text', text: String(item.text ?? '') };
    case 'image':
    case 'audio':
      return {
        type: item.type,
        ...(await blobReference(String(item.data ?? ''), String(item.mimeType ?? ''), origin, sink)),
      };
    case 'resource': {
      const r = (item.resource ?? {}) as { uri?: string; mimeType?: string; text?: string; blob?: string };
      const base = {
        type: 'resource',
        uri: String(r.uri ?? ''),
        ...(r.mimeType ? { mimeType: r.mimeType } : {}),
      };
      if (typeof r.text === 'string') return { ...base, text: r.text };
      return { ...base, ...(await blobReference(String(r.blob ?? ''), r.mimeType ?? '', origin, sink)) };
    }
    case 'resource_link': {
      const { uri, name, mimeType, description, title } = item as Record<string, unknown>;
      return toJson({ type: 'resource_link', uri, name, title, mimeType, description }) as Json;
    }
    default:
      return { type: item.type, note: 'content of a type this client does not record' };
  }
}

async function blobReference(
  base64: string,
  mimeType: string,
  origin: { server: string; tool: string },
  sink: McpBlobSink | undefined,
): Promise<JsonObject> {
  const data = Buffer.from(base64, 'base64');
  const sha256 = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  const ref = sink ? await sink({ ...origin, mimeType, data, sha256 }) : undefined;
  return { mimeType, sha256, bytes: data.length, ...(ref !== undefined ? { ref } : {}) };
}

/** Plain JSON: undefined members dropped (a server's JSON may carry them after parsing, never here). */
function toJson(value: unknown): JsonObject {
  return JSON.parse(JSON.stringify(value ?? {})) as JsonObject;
}
