import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseCliArgs, runCli, watchProject, type WatchEvent } from '@kestrion/compiler';

const REPO = path.resolve(__dirname, '..', '..');
let dir: string;
let tsconfig: string;
let out: string;

const TOOL_FILE = (param: string) => `import { tool } from '@kestrion/agent';

export class MiniAgent {
  /** Echo text. */
  @tool()
  async echo(${param}): Promise<string> {
    return String(text);
  }
}
`;

function quietIo() {
  const lines = { out: [] as string[], err: [] as string[] };
  return { lines, io: { out: (l: string) => lines.out.push(l), err: (l: string) => lines.err.push(l) } };
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-cli-'));
  fs.mkdirSync(path.join(dir, 'src'));
  tsconfig = path.join(dir, 'tsconfig.json');
  out = path.join(dir, 'kestrion.manifest.json');
  fs.writeFileSync(
    tsconfig,
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'node16',
        moduleResolution: 'node16',
        strict: true,
        noEmit: true,
        types: [],
        paths: {
          '@kestrion/agent': [path.join(REPO, 'packages/agent/src/index.ts')],
          '@kestrion/core': [path.join(REPO, 'packages/core/src/index.ts')],
        },
      },
      include: ['src'],
    }),
  );
  fs.writeFileSync(path.join(dir, 'src', 'mini-agent.ts'), TOOL_FILE('text: string'));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('kestrion-compile', () => {
  it('writes the manifest beside the tsconfig by default', async () => {
    const { io, lines } = quietIo();
    expect(await runCli(['--project', tsconfig], io)).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(out, 'utf8')) as { tools: Record<string, unknown> };
    expect(Object.keys(manifest.tools)).toEqual(['MiniAgent.echo']);
    expect(lines.out[0]).toMatch(/^wrote .*kestrion\.manifest\.json \(1 tools/);
  });

  it('passes --check when the manifest is fresh and fails with a readable diff when it is stale', async () => {
    const fresh = quietIo();
    expect(await runCli(['--project', tsconfig, '--check'], fresh.io)).toBe(0);
    fs.writeFileSync(path.join(dir, 'src', 'mini-agent.ts'), TOOL_FILE('text: string, times?: number'));
    const stale = quietIo();
    expect(await runCli(['--project', tsconfig, '--check'], stale.io)).toBe(1);
    const report = stale.lines.err.join('\n');
    expect(report).toContain('is stale');
    expect(report).toContain('~ tool MiniAgent.echo');
    expect(report).toMatch(/\+\s+"times": \{/);
    expect(report).toContain('npx kestrion-compile --project');
    fs.writeFileSync(path.join(dir, 'src', 'mini-agent.ts'), TOOL_FILE('text: string'));
  });

  it('rejects unknown flags and --check with --watch with exit code 2', async () => {
    expect(await runCli(['--nope'], quietIo().io)).toBe(2);
    expect(await runCli(['--check', '--watch'], quietIo().io)).toBe(2);
    expect(parseCliArgs(['-p', 'x.json', '-o', 'y.json'])).toMatchObject({
      project: 'x.json',
      out: 'y.json',
      check: false,
    });
  });

  it('recompiles in --watch mode after a one-file edit and rewrites the manifest', async () => {
    const events: WatchEvent[] = [];
    let resolveNext: ((e: WatchEvent) => void) | undefined;
    const watcher = watchProject({
      project: tsconfig,
      onCompile: (e) => {
        events.push(e);
        resolveNext?.(e);
      },
    });
    try {
      await watcher.ready;
      const before = fs.readFileSync(out, 'utf8');
      const next = new Promise<WatchEvent>((resolve) => (resolveNext = resolve));
      fs.writeFileSync(path.join(dir, 'src', 'mini-agent.ts'), TOOL_FILE('text: string, loud: boolean'));
      const event = await next;
      expect(event.written).toBe(true);
      expect(event.changedFiles).toEqual([path.join(dir, 'src', 'mini-agent.ts')]);
      const after = JSON.parse(fs.readFileSync(out, 'utf8')) as {
        tools: Record<string, { parameters: { required: string[] }; signatureHash: string }>;
      };
      expect(after.tools['MiniAgent.echo']?.parameters.required).toEqual(['text', 'loud']);
      expect(after.tools['MiniAgent.echo']?.signatureHash).not.toBe(
        (JSON.parse(before) as typeof after).tools['MiniAgent.echo']?.signatureHash,
      );
    } finally {
      watcher.close();
    }
  });
});
