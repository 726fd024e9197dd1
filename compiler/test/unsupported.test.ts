import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  compileProject,
  ManifestCompileError,
  ManifestCompiler,
  runCli,
  type CompileDiagnostic,
} from '@kestrion/compiler';

const PROJECT = path.join(__dirname, 'fixtures', 'unsupported', 'tsconfig.json');
const SOURCE = fs.readFileSync(
  path.join(__dirname, 'fixtures', 'unsupported', 'src', 'bad-agent.ts'),
  'utf8',
);

/** 1-based line and column of the first occurrence of `text` in bad-agent.ts. */
function at(text: string): { line: number; column: number } {
  const index = SOURCE.indexOf(text);
  const before = SOURCE.slice(0, index).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

let compiler: ManifestCompiler;
let diagnostics: CompileDiagnostic[];

beforeAll(() => {
  compiler = ManifestCompiler.fromTsConfig(PROJECT);
  diagnostics = compiler.compile().diagnostics;
});

describe('unsupported types', () => {
  it.each([
    ['callback', 'callback: () => void', /functions cannot be sent/],
    ['key', 'key: symbol', /symbols cannot travel/],
    ['amount', 'amount: bigint', /bigint/],
    ['loose', 'loose: any', /`any` has no schema/],
    ['vague', 'vague: unknown', /`unknown` has no schema/],
    ['index', 'index: Map', /`Map` does not survive JSON/],
    ['rest', '...rest', /rest parameter/],
  ])('reports parameter %s at its file:line:col with a fix', (parameter, text, message) => {
    const found = diagnostics.find((d) => d.parameter === parameter);
    expect(found).toMatchObject({ file: 'src/bad-agent.ts', ...at(text), parameter });
    expect(found?.message).toMatch(message);
    expect(found?.fix.length).toBeGreaterThan(5);
  });

  it('names the property path and the other file for a function inside an imported interface', () => {
    const found = diagnostics.find((d) => d.parameter === 'options.onDone');
    expect(found).toMatchObject({ tool: 'BadAgent.withNestedFunction', ...at('options: JobOptions') });
    expect(found?.message).toContain('declared at src/options.ts:3:3');
  });

  it('reports destructured parameters and static tools', () => {
    expect(diagnostics.some((d) => d.tool === 'BadAgent.withShapes' && /destructured/.test(d.message))).toBe(
      true,
    );
    expect(
      diagnostics.some((d) => d.tool === 'BadAgent.staticTool' && /instance methods/.test(d.message)),
    ).toBe(true);
  });

  it('collects every problem of the project in one run and still builds the good tools', () => {
    expect(diagnostics).toHaveLength(10);
    expect(compiler.compile().manifest.tools['BadAgent.fine']).toBeDefined();
  });

  it('makes compileProject throw a ManifestCompileError listing all problems and write nothing', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kc-bad-')), 'm.json');
    let error: unknown;
    try {
      compileProject({ project: PROJECT, out, compiler });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ManifestCompileError);
    expect((error as ManifestCompileError).diagnostics).toHaveLength(10);
    expect((error as Error).message).toContain('src/bad-agent.ts:7:');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('makes the CLI print every problem and exit 1', async () => {
    const err: string[] = [];
    const code = await runCli(['--project', PROJECT, '--out', path.join(os.tmpdir(), 'never.json')], {
      out: () => undefined,
      err: (l) => err.push(l),
    });
    expect(code).toBe(1);
    expect(err.filter((l) => /^src\/bad-agent\.ts:\d+:\d+ - /.test(l))).toHaveLength(10);
  });
});
