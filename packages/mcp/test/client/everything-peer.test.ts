import type { ChildProcess } from 'node:child_process';
import { Agent } from '@kestrion/agent';
import { InMemoryStore, type ModelToolCall, type StoredEvent } from '@kestrion/core';
import { ScriptedProvider } from '@kestrion/testing';
import {
  McpServerUnavailableError,
  McpToolset,
  type McpElicitation,
  type McpServerConfig,
} from '@kestrion/mcp';
import { everythingServer, freePort, kill, peerVersion, startEverythingHttp, until } from '../peers';

class Assistant {}

function call(id: string, name: string, args: object): ModelToolCall {
  return { id, name, arguments: args as ModelToolCall['arguments'] };
}

async function eventsOf(store: InMemoryStore, runId: string): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of store.readEvents(runId)) out.push(e);
  return out;
}

function completedResults(events: StoredEvent[]): unknown[] {
  return events.filter((e) => e.type === 'tool.completed').map((e) => (e.data as { result: unknown }).result);
}

function agentWith(toolset: McpToolset, calls: ModelToolCall[][], store = new InMemoryStore()) {
  const provider = new ScriptedProvider([...calls.map((toolCalls) => ({ toolCalls })), { text: 'done' }]);
  const agent = new Agent(new Assistant(), {
    provider,
    store,
    model: 'm',
    instructions: 'Help.',
    tools: toolset.tools,
  });
  return { agent, store };
}

const LONG = 'everything_trigger-long-running-operation';
// Read-only (so repeatable) on the server; declared not idempotent here, so that a lost answer
// parks the run as it would for a tool with effects.
const NOT_REPEATABLE = { tools: { 'trigger-long-running-operation': { idempotent: false } } };

describe(`server-everything ${peerVersion('@modelcontextprotocol/server-everything')} over stdio`, () => {
  let toolset: McpToolset;
  const asked: McpElicitation[] = [];
  beforeAll(async () => {
    toolset = await McpToolset.connect({
      servers: { everything: everythingServer({ ...NOT_REPEATABLE, callTimeoutMs: 20_000 }) },
      onElicitation: (request) => {
        asked.push(request);
        return { action: 'accept', content: { name: 'Ada Lovelace', check: true } };
      },
    });
  });
  afterAll(() => toolset.close());

  it('records text, structured content, and an image as a reference without its bytes', async () => {
    const { agent, store } = agentWith(toolset, [
      [call('a', 'everything_echo', { message: 'hi' })],
      [call('b', 'everything_get-structured-content', { location: 'New York' })],
      [call('c', 'everything_get-tiny-image', {})],
    ]);
    const run = await agent.run('show me');
    expect(run.status).toBe('completed');
    const results = (await eventsOf(store, run.id))
      .filter((e) => e.type === 'tool.completed')
      .map((e) => (e.data as { result: unknown }).result);
    expect(results[0]).toEqual({ content: [{ type: 'text', text: 'Echo: hi' }] });
    expect(results[1]).toMatchObject({ structuredContent: { temperature: expect.any(Number) } });
    const image = (results[2] as { content: Array<Record<string, unknown>> }).content.find(
      (c) => c.type === 'image',
    );
    expect(image).toEqual({
      type: 'image',
      mimeType: 'image/png',
      sha256: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      bytes: expect.any(Number),
    });
    expect(JSON.stringify(results[2])).not.toContain('iVBORw0KGgo');
  });

  it("answers the server's elicitation request through the handler, and the answer comes back in the result", async () => {
    expect(toolset.tools.map((t) => t.name)).toContain('everything_trigger-elicitation-request');
    const { agent, store } = agentWith(toolset, [[call('e', 'everything_trigger-elicitation-request', {})]]);
    const run = await agent.run('ask me');
    expect(asked).toEqual([
      expect.objectContaining({ server: 'everything', message: expect.stringContaining('Please provide') }),
    ]);
    const result = completedResults(await eventsOf(store, run.id))[0];
    expect(JSON.stringify(result)).toContain('Ada Lovelace');
  });

  it('parks the run as outcome unknown when the server dies mid-call, reconnects, and runs again once a person says so', async () => {
    const { agent, store } = agentWith(toolset, [[call('l', LONG, { duration: 2, steps: 4 })]]);
    const firstPid = toolset.server('everything').pid!;
    const running = agent.run('wait a bit');
    const runId = await new Promise<string>((resolve) => {
      void until(async () => {
        for (const id of (await store.listRuns({})).runs.map((r) => r.runId))
          if ((await eventsOf(store, id)).some((e) => e.type === 'tool.started')) return (resolve(id), true);
        return false;
      });
    });
    await new Promise((r) => setTimeout(r, 300));
    process.kill(firstPid, 'SIGKILL');
    const parked = await running;
    expect(parked.id).toBe(runId);
    expect(parked).toMatchObject({ status: 'waiting_on_human', waitingReason: 'outcome_unknown' });
    expect(parked.unknownOutcomes).toEqual([
      expect.objectContaining({
        tool: LONG,
        attempts: 1,
        reason: expect.stringMatching(
          /sent but no answer came .*Connection closed.*the connection was re-established/,
        ),
      }),
    ]);
    expect(toolset.server('everything').pid).not.toBe(firstPid);

    await agent.retryTool(parked.id, parked.unknownOutcomes[0]!.callId, 'alice');
    const done = await agent.resume(parked.id);
    expect(done.status).toBe('completed');
    const outcome = (await eventsOf(store, parked.id)).find((e) => e.type === 'tool.completed');
    expect(JSON.stringify(outcome?.data)).toContain('Long running operation completed');
  });
});

describe.each([
  ['Streamable HTTP', 'streamableHttp', '/mcp', 'streamable-http'],
  ['legacy HTTP+SSE', 'sse', '/sse', 'sse'],
] as const)('server-everything over %s', (_label, mode, path, transport) => {
  let server: ChildProcess;
  let port: number;
  let config: McpServerConfig;
  beforeAll(async () => {
    port = await freePort();
    server = await startEverythingHttp(mode, port);
    config = {
      url: `http://127.0.0.1:${port}${path}`,
      transport,
      callTimeoutMs: 3_000,
      reconnectDelayMs: 50,
      ...NOT_REPEATABLE,
    };
  });
  afterAll(() => kill(server));

  it('lists the tools and calls one', async () => {
    const toolset = await McpToolset.connect({ servers: { everything: config } });
    try {
      expect(toolset.tools.length).toBeGreaterThanOrEqual(10);
      const { agent, store } = agentWith(toolset, [[call('a', 'everything_get-sum', { a: 2, b: 40 })]]);
      const run = await agent.run('add');
      const result = completedResults(await eventsOf(store, run.id))[0];
      expect(JSON.stringify(result)).toContain('42');
    } finally {
      await toolset.close();
    }
  });

  if (mode === 'streamableHttp')
    it('parks a call cut off by the server dying, refuses to resume while the server is down (retryable), and goes on once it is back', async () => {
      const toolset = await McpToolset.connect({ servers: { everything: config } });
      try {
        const { agent, store } = agentWith(toolset, [[call('l', LONG, { duration: 2, steps: 4 })]]);
        const running = agent.run('wait a bit');
        await until(async () => {
          const runs = (await store.listRuns({})).runs;
          return (
            runs.length > 0 && (await eventsOf(store, runs[0]!.runId)).some((e) => e.type === 'tool.started')
          );
        });
        await new Promise((r) => setTimeout(r, 300));
        await kill(server);
        const parked = await running;
        expect(parked).toMatchObject({ status: 'waiting_on_human', waitingReason: 'outcome_unknown' });
        expect(parked.unknownOutcomes[0]?.reason).toMatch(/sent but no answer came.*reconnecting failed/);
        await agent.retryTool(parked.id, parked.unknownOutcomes[0]!.callId, 'alice');

        const head = (await store.getRun(parked.id))!.headSeq;
        const down = await agent.resume(parked.id).catch((e: unknown) => e);
        expect(down).toBeInstanceOf(McpServerUnavailableError);
        expect(down).toMatchObject({ code: 'mcp_server_unavailable', retryable: true, server: 'everything' });
        expect((await store.getRun(parked.id))!.headSeq).toBe(head);

        server = await startEverythingHttp(mode, port);
        const done = await agent.resume(parked.id);
        expect(done.status).toBe('completed');
      } finally {
        await toolset.close();
      }
    });
});
