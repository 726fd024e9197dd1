import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  FakeAnthropicServer,
  type FakeModelServer,
  FakeOllamaServer,
  FakeOpenAIServer,
  type FakeTurn,
  type RecordedRequest,
} from '@kestrion/testing';

const run = promisify(execFile);
const root = join(__dirname, '..');
const YAML = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: checkout-api\nspec:\n  replicas: 3\n';

/** Tool results the request already carries, in any vendor's shape: which turn it asks for. */
function turnOf(request: RecordedRequest): number {
  const body = JSON.stringify(request.body);
  return (body.match(/"role":"tool"/g) ?? []).length + (body.match(/"type":"tool_result"/g) ?? []).length;
}

/** The quickstart's story, told by a model behind a vendor's wire format. */
function quickstartModel(request: RecordedRequest): FakeTurn {
  const turn = turnOf(request);
  if (turn === 0)
    return { kind: 'reply', toolCalls: [{ id: 'toolu_1', name: 'getClusterState', arguments: '{}' }] };
  if (turn === 1)
    return {
      kind: 'reply',
      text: 'Scaling.',
      toolCalls: [{ id: 'toolu_2', name: 'applyManifest', arguments: JSON.stringify({ yaml: YAML }) }],
    };
  return { kind: 'reply', text: 'checkout-api now runs 3 replicas.' };
}

const vendors: Array<{
  name: string;
  label: RegExp;
  server: () => FakeModelServer;
  env: (url: string) => Record<string, string>;
}> = [
  {
    name: 'Anthropic',
    label: /provider: Anthropic/,
    server: () => new FakeAnthropicServer(),
    env: (url) => ({ ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: url }),
  },
  {
    name: 'OpenAI',
    label: /provider: OpenAI/,
    server: () => new FakeOpenAIServer(),
    env: (url) => ({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: url }),
  },
  {
    name: 'Ollama',
    label: /provider: Ollama at /,
    server: () => new FakeOllamaServer(),
    env: (url) => ({ OLLAMA_HOST: url }),
  },
];

describe('the quickstart against each vendor wire format (real SDKs, loopback fakes)', () => {
  beforeAll(async () => {
    const compiler = join(root, '..', '..', 'compiler', 'dist', 'cli.js');
    await run(process.execPath, [
      compiler,
      '--project',
      join(root, 'tsconfig.build.json'),
      '--out',
      join(root, 'kestrion.manifest.json'),
    ]);
  });

  it.each(vendors)(
    'tells the same three-process story through $name',
    async ({ label, server: make, env }) => {
      const server = await make().start();
      server.respondWith(quickstartModel);
      const cwd = mkdtempSync(join(tmpdir(), 'kestrion-quickstart-'));
      try {
        const clean = { ...process.env };
        for (const k of [
          'ANTHROPIC_API_KEY',
          'ANTHROPIC_BASE_URL',
          'OPENAI_API_KEY',
          'OPENAI_BASE_URL',
          'OLLAMA_HOST',
        ])
          delete clean[k];
        const { stdout } = await run(process.execPath, [join(root, 'dist', 'story.js')], {
          cwd,
          env: { ...clean, ...env(server.url) },
        });
        const [first, approve, resume] = stdout.split('# process').slice(1);
        expect(first).toMatch(label);
        expect(first).toContain('status=waiting_on_human');
        expect(first).toContain('pending approval: applyManifest');
        expect(approve).toContain('status=pending');
        expect(resume).toContain('status=completed');
        expect(resume).toContain('model: checkout-api now runs 3 replicas.');
        // Three model turns in all, none asked twice although three processes took part.
        expect(server.requests.map(turnOf)).toEqual([0, 1, 2]);
      } finally {
        rmSync(cwd, { recursive: true, force: true });
        await server.close();
      }
    },
  );
});
