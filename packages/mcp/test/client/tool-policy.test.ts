import { effectiveHints, mcpToolIdentity, policyFromHints, resolvePolicy } from '@kestrion/mcp';
import { recordableResult } from '../../src/client/tool-result';
import { McpError, ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { failureOf } from '../../src/client/call-failure';
import { globMatcher } from '../../src/util/glob';

describe('annotations to policy', () => {
  it('gates a tool with no annotations: the specification defaults make it destructive and not idempotent', () => {
    expect(effectiveHints(undefined)).toEqual({
      readOnly: false,
      destructive: true,
      idempotent: false,
      openWorld: true,
    });
    expect(policyFromHints(undefined)).toEqual({ requiresApproval: true, idempotent: false });
    expect(policyFromHints({ openWorldHint: false })).toEqual({ requiresApproval: true, idempotent: false });
  });

  it.each([
    ['read-only', { readOnlyHint: true }, { requiresApproval: false, idempotent: true }],
    [
      'read-only, whatever else it says',
      { readOnlyHint: true, destructiveHint: true, idempotentHint: false },
      { requiresApproval: false, idempotent: true },
    ],
    [
      'additive',
      { readOnlyHint: false, destructiveHint: false },
      { requiresApproval: false, idempotent: false },
    ],
    [
      'additive idempotent',
      { destructiveHint: false, idempotentHint: true },
      { requiresApproval: false, idempotent: true },
    ],
    [
      'destructive idempotent',
      { destructiveHint: true, idempotentHint: true },
      { requiresApproval: true, idempotent: true },
    ],
    [
      'destructive by default, idempotent',
      { idempotentHint: true },
      { requiresApproval: true, idempotent: true },
    ],
  ])('maps a %s tool', (_label, hints, policy) => {
    expect(policyFromHints(hints)).toEqual(policy);
  });

  it('applies overrides by pattern in order, then by exact name', () => {
    const overrides = {
      'delete_*': { requiresApproval: ['sre', 'lead'] },
      '*': { idempotent: false },
      delete_relations: { requiresApproval: 'sre' },
    };
    expect(
      resolvePolicy('delete_entities', { destructiveHint: true, idempotentHint: true }, overrides),
    ).toEqual({
      requiresApproval: ['sre', 'lead'],
      idempotent: false,
    });
    expect(resolvePolicy('delete_relations', undefined, overrides)).toEqual({
      requiresApproval: 'sre',
      idempotent: false,
    });
    expect(
      resolvePolicy('read_graph', { readOnlyHint: true }, { read_graph: { requiresApproval: true } }),
    ).toEqual({
      requiresApproval: true,
      idempotent: true,
    });
  });

  it('matches names with * and ?, everything else literally', () => {
    expect(['a.b', 'a_b', 'axb'].filter(globMatcher('a.b'))).toEqual(['a.b']);
    expect(['get_x', 'get-y', 'set_x'].filter(globMatcher('get?*'))).toEqual(['get_x', 'get-y']);
  });
});

describe('tool identity', () => {
  const tool = { name: 'write_file', inputSchema: { type: 'object', properties: { a: { type: 'string' } } } };

  it('is the name and hashes of the schema and the effective hints, whatever the key order', () => {
    const id = mcpToolIdentity({ ...tool, annotations: { destructiveHint: true } });
    expect(id).toEqual({
      name: 'write_file',
      inputSchema: expect.stringMatching(/^sha256:/),
      annotations: expect.stringMatching(/^sha256:/),
    });
    expect(
      mcpToolIdentity({
        name: 'write_file',
        inputSchema: { properties: { a: { type: 'string' } }, type: 'object' },
      }),
    ).toEqual(id);
  });

  it('changes with the schema or a hint, not with a default spelled out', () => {
    const id = mcpToolIdentity(tool);
    expect(mcpToolIdentity({ ...tool, annotations: { readOnlyHint: false, destructiveHint: true } })).toEqual(
      id,
    );
    expect(mcpToolIdentity({ ...tool, annotations: { idempotentHint: true } }).annotations).not.toBe(
      id.annotations,
    );
    expect(mcpToolIdentity({ ...tool, inputSchema: { type: 'object' } }).inputSchema).not.toBe(
      id.inputSchema,
    );
  });
});

describe('tool results as recorded', () => {
  it('keeps binary content out of the log, with its hash, size and the sink reference', async () => {
    const data = Buffer.from('not really a png').toString('base64');
    const stored: string[] = [];
    const result = await recordableResult(
      {
        content: [
          { type: 'text', text: 'here' },
          { type: 'image', data, mimeType: 'image/png' },
          {
            type: 'resource',
            resource: { uri: 'file:///a.bin', mimeType: 'application/octet-stream', blob: data },
          },
          { type: 'resource', resource: { uri: 'file:///a.txt', text: 'inline' } },
          { type: 'resource_link', uri: 'file:///b', name: 'b' },
        ],
        structuredContent: { ok: true },
      },
      { server: 's', tool: 't' },
      (blob) => {
        stored.push(blob.sha256);
        return `blob://${blob.sha256.slice(7, 15)}`;
      },
    );
    expect(result).toEqual({
      content: [
        { type: 'text', text: 'here' },
        {
          type: 'image',
          mimeType: 'image/png',
          sha256: stored[0],
          bytes: 16,
          ref: expect.stringMatching(/^blob:\/\//),
        },
        {
          type: 'resource',
          uri: 'file:///a.bin',
          mimeType: 'application/octet-stream',
          sha256: stored[1],
          bytes: 16,
          ref: expect.any(String),
        },
        { type: 'resource', uri: 'file:///a.txt', text: 'inline' },
        { type: 'resource_link', uri: 'file:///b', name: 'b' },
      ],
      structuredContent: { ok: true },
    });
    expect(JSON.stringify(result)).not.toContain(data);
  });
});

describe('what a failed request says about the tool', () => {
  it('tells an answer, a request that never left, and one whose outcome is unknown apart', () => {
    expect(failureOf(new McpError(ErrorCode.InvalidParams, 'bad'))).toBe('answered');
    expect(failureOf(new McpError(ErrorCode.ConnectionClosed, 'Connection closed'))).toBe('closed');
    expect(failureOf(new McpError(ErrorCode.RequestTimeout, 'Request timed out'))).toBe('no_answer');
    expect(failureOf(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }))).toBe(
      'not_sent',
    );
    expect(failureOf(new Error('Not connected'))).toBe('not_sent');
    expect(failureOf(new Error('socket hang up'))).toBe('no_answer');
  });
});
