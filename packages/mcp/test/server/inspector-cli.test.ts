import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '@kestrion/store';
import type { StoredEvent } from '@kestrion/core';
import { BIN, ROOT, peerVersion, tempDir } from '../peers';

// The MCP Inspector v2 in --cli mode (run from node_modules/.bin, never npx) drives
// `kestrion mcp serve` over stdio: it lists and calls the tools as any MCP client would.
const KESTRION = join(ROOT, 'packages', 'cli', 'bin', 'kestrion.js');
const AGENT = join(__dirname, '..', 'fixtures', 'served-agent.ts');

interface InspectorResult {
  code: number | null;
  json: { result?: Record<string, unknown>; error?: unknown };
  stderr: string;
}

function inspector(dir: string, store: string, method: string[]): Promise<InspectorResult> {
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true });
  const args = [
    '--cli',
    '--format',
    'json',
    '-q',
    process.execPath,
    KESTRION,
    'mcp',
    'serve',
    AGENT,
    '--store',
    store,
    '--identity',
    'alice',
    ...method,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(join(BIN, 'mcp-inspector'), args, {
      env: { ...process.env, HOME: home, MCP_INSPECTOR_SECRET_STORE: 'file', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve({ code, json: JSON.parse(stdout) as InspectorResult['json'], stderr });
      } catch {
        reject(new Error(`inspector printed no JSON (exit ${code}):\n${stdout}\n${stderr}`));
      }
    });
  });
}

describe(`MCP Inspector ${peerVersion('@modelcontextprotocol/inspector')} --cli against kestrion mcp serve`, () => {
  const dir = tempDir('inspector');
  const store = `sqlite://${join(dir, 'runs.db')}`;

  it('lists the run tool and its companions', async () => {
    const r = await inspector(dir, store, ['--method', 'tools/list']);
    expect(r.code).toBe(0);
    const tools = (r.json.result?.tools ?? []) as Array<{
      name: string;
      inputSchema: { required?: string[] };
    }>;
    expect(tools.map((t) => t.name)).toEqual(['ops', 'get_status', 'approve', 'reject', 'resume']);
    expect(tools[0]?.inputSchema.required).toEqual(['input']);
  });

  it('runs the agent to its gate, then approves as the server identity, each call from a new inspector process', async () => {
    const run = await inspector(dir, store, [
      '--method',
      'tools/call',
      '--tool-name',
      'ops',
      '--tool-arg',
      'input=restart web',
    ]);
    expect(run.code).toBe(0);
    const parked = run.json.result?.structuredContent as {
      runId: string;
      status: string;
      pending: unknown[];
    };
    expect(parked).toMatchObject({ status: 'waiting_on_human', pending: [{ tool: 'restart_service' }] });

    const status = await inspector(dir, store, [
      '--method',
      'tools/call',
      '--tool-name',
      'get_status',
      '--tool-arg',
      `runId=${parked.runId}`,
    ]);
    expect(status.json.result?.structuredContent).toMatchObject({ status: 'waiting_on_human' });

    const approved = await inspector(dir, store, [
      '--method',
      'tools/call',
      '--tool-name',
      'approve',
      '--tool-args-json',
      JSON.stringify({ runId: parked.runId }),
    ]);
    expect(approved.code).toBe(0);
    expect(approved.json.result?.structuredContent).toMatchObject({
      status: 'completed',
      lastMessage: 'restarted web',
    });

    const s = await openStore(store);
    try {
      const events: StoredEvent[] = [];
      for await (const e of s.readEvents(parked.runId)) events.push(e);
      expect(events.find((e) => e.type === 'approval.granted')?.data).toMatchObject({ by: 'alice' });
      expect(events.filter((e) => e.type === 'tool.completed')).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it('refuses an approval that names its approver in the arguments', async () => {
    const r = await inspector(dir, store, [
      '--method',
      'tools/call',
      '--tool-name',
      'approve',
      '--tool-args-json',
      JSON.stringify({ runId: 'run_x', by: 'mallory' }),
    ]);
    expect(r.json.result).toMatchObject({
      isError: true,
      structuredContent: { error: { code: 'invalid_arguments' } },
    });
  });
});
