import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import * as ts from 'typescript';
import { ConfigurationError, type ToolManifest } from '@kestrion/core';
import * as agentModule from '../src/index';
import { sealToolManifest, tool, toolsOf, type ToolContext } from '../src/index';

class Ops {
  calls: unknown[][] = [];

  @tool({ requiresApproval: 'sre', idempotent: true, timeoutMs: 1000 })
  async apply(yaml: string, dryRun?: boolean, ctx?: ToolContext): Promise<string> {
    this.calls.push([yaml, dryRun, ctx]);
    return `${yaml}:${String(dryRun)}`;
  }

  @tool({ name: 'get_state' })
  async state(): Promise<number> {
    return 3;
  }
}

const entry = (name: string, params: string[]) => ({
  name,
  description: `${name} from manifest`,
  parameters: {
    type: 'object',
    properties: Object.fromEntries(params.map((p) => [p, {}])),
    additionalProperties: false,
  },
  returns: {},
  signatureHash: 'sha256:x',
  source: 'src/ops.ts:1',
});
const MANIFEST: ToolManifest = sealToolManifest({
  'Ops.apply': entry('apply', ['yaml', 'dryRun']),
  'Ops.state': entry('get_state', []),
});

afterEach(() => {
  delete process.env.KESTRION_MANIFEST;
});

describe('toolsOf', () => {
  it('pairs each decorated method with its manifest entry and decorator options', () => {
    const tools = toolsOf(new Ops(), { manifest: MANIFEST });
    expect(tools.map((t) => [t.key, t.name, t.requiresApproval, t.idempotent, t.timeoutMs])).toEqual([
      ['Ops.apply', 'apply', 'sre', true, 1000],
      ['Ops.state', 'get_state', false, false, undefined],
    ]);
    expect(tools[0]?.description).toBe('apply from manifest');
  });

  it('invokes the method with the argument object spread in manifest order, then the context', async () => {
    const ops = new Ops();
    const apply = toolsOf(ops, { manifest: MANIFEST })[0];
    const ctx = { idempotencyKey: 'k1' };
    await expect(apply?.invoke({ dryRun: true, yaml: 'a' }, ctx)).resolves.toBe('a:true');
    await apply?.invoke({ yaml: 'b' });
    expect(ops.calls).toEqual([
      ['a', true, ctx],
      ['b', undefined, {}],
    ]);
  });

  it('fails with a ConfigurationError naming the compile command when a tool has no schema', () => {
    const manifest = sealToolManifest({ 'Ops.apply': entry('apply', ['yaml', 'dryRun']) });
    expect(() => toolsOf(new Ops(), { manifest })).toThrow(ConfigurationError);
    expect(() => toolsOf(new Ops(), { manifest })).toThrow(
      /Ops\.state has no schema.*npx kestrion-compile --project tsconfig\.json/,
    );
  });

  it('detects a stale entry from parameter names, parameter count and tool name', () => {
    const renamed = sealToolManifest({
      ...MANIFEST.tools,
      'Ops.apply': entry('apply', ['manifest', 'dryRun']),
    });
    expect(() => toolsOf(new Ops(), { manifest: renamed })).toThrow(
      /declares parameters \(yaml, dryRun, ctx\).*stale/,
    );
    const fewer = sealToolManifest({ ...MANIFEST.tools, 'Ops.apply': entry('apply', []) });
    expect(() => toolsOf(new Ops(), { manifest: fewer })).toThrow(
      /takes 3 parameters but the manifest lists 0/,
    );
    const otherName = sealToolManifest({ ...MANIFEST.tools, 'Ops.state': entry('state', []) });
    expect(() => toolsOf(new Ops(), { manifest: otherName })).toThrow(/named "get_state" but "state"/);
  });

  it('loads the manifest from a path option and from KESTRION_MANIFEST', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ka-manifest-'));
    const file = path.join(dir, 'custom.json');
    fs.writeFileSync(file, JSON.stringify(MANIFEST));
    expect(toolsOf(new Ops(), { manifest: file })).toHaveLength(2);
    process.env.KESTRION_MANIFEST = file;
    expect(toolsOf(new Ops())).toHaveLength(2);
  });

  it('fails clearly when no manifest can be found or it is not a manifest', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ka-none-'));
    expect(() => toolsOf(new Ops(), { manifest: path.join(dir, 'missing.json') })).toThrow(
      /no tool manifest found.*kestrion-compile/,
    );
    fs.writeFileSync(path.join(dir, 'bad.json'), '{"version":"x"}');
    expect(() => toolsOf(new Ops(), { manifest: path.join(dir, 'bad.json') })).toThrow(
      /not a version-2 Kestrion tool manifest/,
    );
  });

  it('finds kestrion.manifest.json by walking up from the compiled module that declared the class', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ka-walk-'));
    fs.mkdirSync(path.join(root, 'dist', 'agents'), { recursive: true });
    fs.writeFileSync(
      path.join(root, 'kestrion.manifest.json'),
      JSON.stringify(sealToolManifest({ 'Walker.go': entry('go', ['to']) })),
    );
    const { outputText } = ts.transpileModule(
      `import { tool } from '@kestrion/agent';\nexport class Walker { @tool() go(to: string) { return to; } }`,
      { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS } },
    );
    const file = path.join(root, 'dist', 'agents', 'walker.js');
    fs.writeFileSync(file, outputText);
    const loaded = loadCompiled(file) as { Walker: new () => object };
    expect(toolsOf(new loaded.Walker(), { cwd: os.tmpdir() }).map((t) => t.key)).toEqual(['Walker.go']);
  });
});

/** Evaluates a compiled CommonJS file under its own file name (stack frames name it), serving '@kestrion/agent'. */
function loadCompiled(file: string): unknown {
  const source = fs.readFileSync(file, 'utf8');
  const moduleExports: Record<string, unknown> = {};
  const wrapped = `(function (require, exports, module) {${source}\n})\n//# sourceURL=${file}`;
  const fn = (0, eval)(wrapped) as (r: (id: string) => unknown, e: object, m: object) => void;
  fn((id) => (id === '@kestrion/agent' ? agentModule : undefined), moduleExports, { exports: moduleExports });
  return moduleExports;
}
