import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ROOT, tempDir } from '../peers';

// `kestrion mcp serve` (the built CLI) driven by the SDK's own Client, over stdio and over
// Streamable HTTP with a token file.
const KESTRION = join(ROOT, 'packages', 'cli', 'bin', 'kestrion.js');
const AGENT = join(__dirname, '..', 'fixtures', 'served-agent.ts');
const TOKEN = 'carol-token-0123456789abcdef';

function structured(result: unknown): Record<string, unknown> {
  return (result as CallToolResult).structuredContent as Record<string, unknown>;
}

describe('kestrion mcp serve, driven by the SDK Client', () => {
  const dir = tempDir('serve-cli');
  const store = `sqlite://${join(dir, 'runs.db')}`;

  it('serves over stdio: the run parks, the person approves through elicitation, the run completes in one call', async () => {
    const client = new Client(
      { name: 'sdk-client', version: '1.0.0' },
      { capabilities: { elicitation: {} } },
    );
    const asked: string[] = [];
    client.setRequestHandler(ElicitRequestSchema, (r) => {
      asked.push(r.params.message);
      return { action: 'accept', content: { decision: 'approve' } };
    });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [KESTRION, 'mcp', 'serve', AGENT, '--store', store, '--identity', 'dana', '--role', 'sre'],
        stderr: 'ignore',
      }),
    );
    try {
      const result = await client.callTool({ name: 'ops', arguments: { input: 'restart web' } });
      expect(asked).toEqual([expect.stringContaining('Decide as dana')]);
      expect(structured(result)).toMatchObject({ status: 'completed', lastMessage: 'restarted web' });
    } finally {
      await client.close();
    }
  });

  describe('over Streamable HTTP', () => {
    let child: ChildProcess;
    let url: string;
    beforeAll(async () => {
      const tokens = join(dir, 'tokens.json');
      writeFileSync(tokens, JSON.stringify({ [TOKEN]: { identity: 'carol', roles: ['sre'] } }));
      child = spawn(
        process.execPath,
        [KESTRION, 'mcp', 'serve', AGENT, '--store', store, '--http', '0', '--tokens', tokens, '--json'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      url = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          try {
            resolve((JSON.parse(out) as { url: string }).url);
          } catch {
            // not a whole document yet
          }
        });
        child.on('exit', (code) => reject(new Error(`kestrion mcp serve exited ${code}: ${err}`)));
      });
    });
    afterAll(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });

    it('prints where it listens and serves a client holding a token', async () => {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      const client = new Client({ name: 'sdk-client', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(url), {
          requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } },
        }),
      );
      try {
        const parked = structured(
          await client.callTool({ name: 'ops', arguments: { input: 'restart web' } }),
        );
        expect(parked).toMatchObject({ status: 'waiting_on_human' });
        const done = structured(
          await client.callTool({ name: 'approve', arguments: { runId: parked.runId } }),
        );
        expect(done).toMatchObject({ status: 'completed' });
      } finally {
        await client.close();
      }
    });

    it('refuses a request without a token, and stops on SIGTERM with exit code 0', async () => {
      const res = await fetch(url, {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(401);
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    });
  });

  it('refuses --http without --tokens, and a token file with a short token, as usage errors (exit 2)', () => {
    const noTokens = spawnSync(
      process.execPath,
      [KESTRION, 'mcp', 'serve', AGENT, '--store', store, '--http', '0'],
      {
        encoding: 'utf8',
      },
    );
    expect(noTokens.status).toBe(2);
    expect(noTokens.stderr).toMatch(/--http needs --tokens <file>/);
    const weak = join(dir, 'weak.json');
    writeFileSync(weak, JSON.stringify({ short: { identity: 'x', roles: [] } }));
    const short = spawnSync(
      process.execPath,
      [KESTRION, 'mcp', 'serve', AGENT, '--store', store, '--http', '0', '--tokens', weak],
      { encoding: 'utf8' },
    );
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/token #1 is shorter than 16 characters/);
  });
});
