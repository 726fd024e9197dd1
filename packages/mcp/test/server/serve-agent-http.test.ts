import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, type CallToolResult, type Progress } from '@modelcontextprotocol/sdk/types.js';
import { serveAgent, type McpTokens, type ServedAgent } from '@kestrion/mcp';
import { eventsOf, opsAgent, type OpsFixture } from './agent-fixture';

const ALICE = 'alice-token-0123456789abcdef';
const BOB = 'bob-token-0123456789abcdef01';
const TOKENS: McpTokens = {
  [ALICE]: { identity: 'alice', roles: ['sre'] },
  [BOB]: { identity: 'bob', roles: [] },
};

async function connect(url: string, token: string, elicit?: (message: string) => object): Promise<Client> {
  const client = new Client(
    { name: 'test-client', version: '1.0.0' },
    { capabilities: elicit ? { elicitation: { form: {} } } : {} },
  );
  if (elicit) client.setRequestHandler(ElicitRequestSchema, (r) => elicit(r.params.message) as never);
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

function structured(result: unknown): Record<string, unknown> {
  return (result as CallToolResult).structuredContent as Record<string, unknown>;
}

describe('an Agent served over Streamable HTTP, driven by the SDK Client', () => {
  let fx: OpsFixture;
  let served: ServedAgent;
  const clients: Client[] = [];
  async function start(policy: Parameters<typeof opsAgent>[0] = true, elicitApprovals = true) {
    fx = opsAgent(policy);
    served = await serveAgent(fx.agent, { transport: 'streamable-http', tokens: TOKENS, elicitApprovals });
  }
  async function as(token: string, elicit?: (message: string) => object): Promise<Client> {
    const c = await connect(served.url!, token, elicit);
    clients.push(c);
    return c;
  }
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await served.close();
  });

  it('refuses a request without a known bearer token, before any MCP server sees it', async () => {
    await start();
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: {} };
    const attempts: Array<Record<string, string>> = [
      {},
      { Authorization: 'Bearer not-a-token-of-ours' },
      { Authorization: `Basic ${ALICE}` },
    ];
    for (const headers of attempts) {
      const res = await fetch(served.url!, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
        body: JSON.stringify(init),
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    await expect(connect(served.url!, 'wrong-token-0123456789abcdef')).rejects.toThrow();
  });

  it('lists the run tool and its companions, none of which takes who decides', async () => {
    await start();
    const { tools } = await (await as(ALICE)).listTools();
    expect(tools.map((t) => t.name)).toEqual(['ops', 'get_status', 'approve', 'reject', 'resume']);
    for (const t of tools) expect(Object.keys(t.inputSchema.properties ?? {})).not.toContain('by');
    expect(tools.find((t) => t.name === 'get_status')?.annotations?.readOnlyHint).toBe(true);
  });

  it('parks at the gate with the run id, and records the token identity as the approver, not an argument', async () => {
    await start(true, false);
    const client = await as(ALICE);
    const parked = await client.callTool({ name: 'ops', arguments: { input: 'restart web' } });
    const s = structured(parked);
    expect(s).toMatchObject({ status: 'waiting_on_human', waitingReason: 'approval' });
    expect((parked as CallToolResult).content[0]).toMatchObject({
      type: 'text',
      text: expect.stringMatching(
        /waiting for approval of restart_service\(\{"service":"web"\}\).*runId run/,
      ),
    });
    expect(fx.effects).toEqual([]);
    const runId = s.runId as string;

    const spoof = await client.callTool({ name: 'approve', arguments: { runId, by: 'mallory' } });
    expect(spoof.isError).toBe(true);
    expect(fx.effects).toEqual([]);

    const pending = (s.pending as Array<{ argsHash: string }>)[0]!;
    const done = await client.callTool({ name: 'approve', arguments: { runId, argsHash: pending.argsHash } });
    expect(structured(done)).toMatchObject({ status: 'completed', lastMessage: 'restarted web' });
    expect(fx.effects).toEqual(['web']);
    const granted = (await eventsOf(fx.store, runId)).find((e) => e.type === 'approval.granted');
    expect(granted?.data).toMatchObject({ by: 'alice', tool: 'restart_service' });
  });

  it('approves with the role of the token, and refuses an identity without the role the chain needs', async () => {
    await start('sre', false);
    const bob = await as(BOB);
    const parked = structured(await bob.callTool({ name: 'ops', arguments: { input: 'restart web' } }));
    const runId = parked.runId as string;
    const refused = await bob.callTool({ name: 'approve', arguments: { runId } });
    expect(refused.isError).toBe(true);
    expect(structured(refused)).toMatchObject({ error: { code: 'approval_mismatch' } });
    const status = structured(await bob.callTool({ name: 'get_status', arguments: { runId } }));
    expect(status).toMatchObject({
      status: 'waiting_on_human',
      pending: [{ nextRole: 'sre', approvedBy: [] }],
    });

    const alice = await as(ALICE);
    expect(structured(await alice.callTool({ name: 'approve', arguments: { runId } }))).toMatchObject({
      status: 'completed',
    });
    const granted = (await eventsOf(fx.store, runId)).find((e) => e.type === 'approval.granted');
    expect(granted?.data).toMatchObject({ by: 'alice', role: 'sre' });
  });

  it('asks the person through elicitation, and a rejection reaches the agent as the token identity', async () => {
    await start();
    const asked: string[] = [];
    const client = await as(BOB, (message) => {
      asked.push(message);
      return { action: 'accept', content: { decision: 'reject', reason: 'not during the freeze' } };
    });
    const result = structured(await client.callTool({ name: 'ops', arguments: { input: 'restart web' } }));
    expect(asked).toEqual([
      expect.stringMatching(
        /ops agent \(run .*\) wants to call restart_service with \{"service":"web"\}.*Decide as bob/,
      ),
    ]);
    expect(result).toMatchObject({ status: 'completed', lastMessage: 'restarted web' });
    expect(fx.effects).toEqual([]);
    const rejected = (await eventsOf(fx.store, result.runId as string)).find(
      (e) => e.type === 'approval.rejected',
    );
    expect(rejected?.data).toMatchObject({ by: 'bob', reason: 'not during the freeze' });
  });

  it('approves through elicitation in the same call, reporting progress as the run goes', async () => {
    await start();
    const client = await as(ALICE, () => ({ action: 'accept', content: { decision: 'approve' } }));
    const progress: Progress[] = [];
    const result = await client.callTool({ name: 'ops', arguments: { input: 'restart web' } }, undefined, {
      onprogress: (p) => progress.push(p),
    });
    expect(structured(result)).toMatchObject({ status: 'completed' });
    expect(fx.effects).toEqual(['web']);
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.map((p) => p.message)).toEqual(
      expect.arrayContaining([
        'run.started',
        'approval.requested restart_service',
        'tool.requested restart_service',
      ]),
    );
    expect(progress.map((p) => p.progress)).toEqual([...progress.keys()].map((i) => i + 1));
  });

  it('leaves the run parked when the person declines to answer', async () => {
    await start();
    const client = await as(ALICE, () => ({ action: 'decline' }));
    const result = structured(await client.callTool({ name: 'ops', arguments: { input: 'restart web' } }));
    expect(result).toMatchObject({ status: 'waiting_on_human', waitingReason: 'approval' });
    expect(fx.effects).toEqual([]);
  });

  it('answers 413 to a body over the limit and 400 to one that is not JSON, with no session made', async () => {
    await start();
    const post = (body: string) =>
      fetch(served.url!, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          authorization: `Bearer ${ALICE}`,
        },
        body,
      });
    const huge = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { pad: 'x'.repeat(5 << 20) },
    });
    const tooBig = await post(huge);
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as { error: { message: string } }).error.message).toMatch(
      /over 4194304 bytes/,
    );
    const notJson = await post('{"jsonrpc": "2.0", "id": 1, "method": "initialize"');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { message: string } }).error.message).toMatch(/not JSON/);
    expect(tooBig.headers.get('mcp-session-id')).toBeNull();
    // The server still serves a well-formed client afterwards.
    await expect((await as(ALICE)).listTools()).resolves.toBeDefined();
  });

  it('binds a session to the identity that opened it', async () => {
    await start();
    const alice = await as(ALICE);
    await alice.listTools();
    const sessionId = (alice.transport as StreamableHTTPClientTransport).sessionId!;
    const res = await fetch(served.url!, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${BOB}`,
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list', params: {} }),
    });
    expect(res.status).toBe(403);
  });
});
