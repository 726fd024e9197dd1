import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { throwawayTsconfig } from './throwaway-tsconfig';
import {
  compileProject,
  CompilerConfigError,
  formatDiagnostic,
  ManifestCompiler,
  runCli,
  type CompileDiagnostic,
} from '@kestrion/compiler';

const dirs: string[] = [];

/** A throwaway project with the given `src/` files; returns its tsconfig path. */
function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-errors-'));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, 'src'));
  const tsconfig = path.join(dir, 'tsconfig.json');
  fs.writeFileSync(tsconfig, throwawayTsconfig());
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, 'src', name), text);
  return tsconfig;
}

/** 1-based line and column of the first occurrence of `text` in `source`. */
function at(source: string, text: string): { line: number; column: number } {
  const index = source.indexOf(text);
  if (index < 0) throw new Error(`${text} not in source`);
  const before = source.slice(0, index).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

function quietIo() {
  const lines = { out: [] as string[], err: [] as string[] };
  return { lines, io: { out: (l: string) => lines.out.push(l), err: (l: string) => lines.err.push(l) } };
}

afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const BROKEN = `import { tool } from '@kestrion/agent';

export class MiniAgent {
  /** Echo text. */
  @tool()
  async echo(text: string, times: number = ): Promise<string> {
    return text.repeat(times);
  }

  /** Missing the closing parenthesis. */
  @tool()
  async other(text: string {
    return text;
  }
}
`;

const FINE = `import { tool } from '@kestrion/agent';

export class FineAgent {
  /** Fine. */
  @tool()
  async ok(text: string): Promise<string> {
    return text;
  }
}
`;

describe('syntax errors', () => {
  const tsconfig = project({ 'broken.ts': BROKEN, 'fine.ts': FINE });
  let diagnostics: CompileDiagnostic[];

  it("reports TypeScript's syntax errors with file:line:col, and nothing read from the broken tree", () => {
    diagnostics = ManifestCompiler.fromTsConfig(tsconfig).compile().diagnostics;
    // Both mistakes, where TypeScript puts them (it may add follow-on syntax errors after the second, as tsc does).
    const expression = at(BROKEN, ' ): Promise');
    const paren = at(BROKEN, ' {\n    return text;');
    expect(diagnostics.slice(0, 2)).toMatchObject([
      { file: 'src/broken.ts', line: expression.line, column: expression.column + 1 },
      { file: 'src/broken.ts', line: paren.line, column: paren.column + 1 },
    ]);
    expect(diagnostics[0]?.message).toBe('syntax error TS1109: Expression expected');
    expect(diagnostics[1]?.message).toBe("syntax error TS1005: ',' expected");
    for (const d of diagnostics) {
      expect(d.tool).toBeUndefined();
      expect(formatDiagnostic(d)).toMatch(/^src\/broken\.ts:\d+:\d+ - syntax error TS\d+: .*\. Fix: .+\.$/);
      expect(d.file).not.toBe('src/fine.ts');
      expect(d.message).not.toMatch(/destructured|rest parameter/);
    }
  });

  it('fails the CLI with exit 1 and writes no manifest', async () => {
    const out = path.join(path.dirname(tsconfig), 'kestrion.manifest.json');
    const { io, lines } = quietIo();
    expect(await runCli(['--project', tsconfig], io)).toBe(1);
    expect(lines.err[0]).toMatch(/^src\/broken\.ts:6:44 - syntax error TS1109: Expression expected\. Fix: /);
    expect(lines.err).toEqual([
      ...diagnostics.map(formatDiagnostic),
      `kestrion-compile: ${diagnostics.length} problem(s); the manifest was not written`,
    ]);
    expect(fs.existsSync(out)).toBe(false);
  });
});

const NAMES = `import { tool } from '@kestrion/agent';

export class NamingAgent {
  /** A space in the name. */
  @tool({ name: 'get state' })
  async getState(): Promise<number> {
    return 1;
  }

  /** A dollar sign in the method name. */
  @tool()
  async scale$up(): Promise<void> {}

  /** Far too long. */
  @tool({ name: '${'x'.repeat(65)}' })
  async long(): Promise<void> {}

  /** Takes the name "apply". */
  @tool()
  async apply(yaml: string): Promise<void> {
    void yaml;
  }

  /** Also calls itself "apply". */
  @tool({ name: 'apply' })
  async applyAgain(yaml: string): Promise<void> {
    void yaml;
  }

  /** Fine: letters, digits, _ and -. */
  @tool({ name: 'rollout-restart_2' })
  async restart(): Promise<void> {}
}

export class OtherAgent {
  /** Another class may reuse a name: each agent offers its own tools. */
  @tool()
  async apply(yaml: string): Promise<void> {
    void yaml;
  }
}
`;

describe('tool names', () => {
  const tsconfig = project({ 'naming.ts': NAMES });
  let diagnostics: CompileDiagnostic[];

  it('reports every name a provider would refuse, where the name is written, with a valid suggestion', () => {
    diagnostics = ManifestCompiler.fromTsConfig(tsconfig).compile().diagnostics;
    const space = diagnostics.find((d) => d.tool === 'NamingAgent.getState');
    expect(space).toMatchObject({ file: 'src/naming.ts', ...at(NAMES, "'get state'") });
    expect(space?.message).toBe(
      'tool name "get state" contains " "; model providers (Anthropic, OpenAI) accept only names matching ^[a-zA-Z0-9_-]{1,64}$',
    );
    expect(space?.fix).toBe("write @tool({ name: 'get_state' })");

    const dollar = diagnostics.find((d) => d.tool === 'NamingAgent.scale$up');
    expect(dollar).toMatchObject(at(NAMES, 'scale$up('));
    expect(dollar?.message).toContain('contains "$"');
    expect(dollar?.fix).toBe("rename the method or set @tool({ name: 'scale_up' })");

    const long = diagnostics.find((d) => d.tool === 'NamingAgent.long');
    expect(long?.message).toContain('is 65 characters long (at most 64)');
    expect(long?.fix).toBe(`write @tool({ name: '${'x'.repeat(64)}' })`);
  });

  it('reports two tools of one class that models would see under the same name', () => {
    const dup = diagnostics.find((d) => d.tool === 'NamingAgent.applyAgain');
    expect(dup).toMatchObject({ file: 'src/naming.ts', ...at(NAMES, "'apply'") });
    expect(dup?.message).toBe(
      `tool name "apply" is already taken by NamingAgent.apply (src/naming.ts:${at(NAMES, 'apply(yaml').line}) in the same class; a model could not tell the two apart`,
    );
    expect(dup?.fix).toContain('@tool({ name:');
    expect(diagnostics.filter((d) => d.tool?.startsWith('OtherAgent.'))).toEqual([]);
    expect(diagnostics.filter((d) => d.tool === 'NamingAgent.restart')).toEqual([]);
    expect(diagnostics).toHaveLength(4);
  });

  it('fails compileProject and the CLI, printing each problem as file:line:col - tool: message. Fix: …', async () => {
    const { io, lines } = quietIo();
    expect(await runCli(['--project', tsconfig], io)).toBe(1);
    expect(
      lines.err.filter((l) => /^src\/naming\.ts:\d+:\d+ - NamingAgent\.\S+: .+\. Fix: .+\.$/.test(l)),
    ).toHaveLength(4);
    expect(() => compileProject({ project: tsconfig })).toThrow(/tool name "get state"/);
  });
});

describe('--out', () => {
  const tsconfig = project({ 'fine.ts': FINE });
  const root = path.dirname(tsconfig);

  it('refuses a directory with exit code 2 and a fix, before compiling', async () => {
    const { io, lines } = quietIo();
    expect(await runCli(['--project', tsconfig, '--out', root], io)).toBe(2);
    expect(lines.err).toEqual([
      `kestrion-compile: the manifest path ${root} is a directory. Fix: give --out (or \`out\`) a file path, e.g. ${path.join(root, 'kestrion.manifest.json')}.`,
    ]);
    const check = quietIo();
    expect(await runCli(['--project', tsconfig, '--out', root, '--check'], check.io)).toBe(2);
    expect(check.lines.err[0]).toContain('is a directory');
  });

  it('refuses a path that cannot be created (a parent is a file) with exit code 2', async () => {
    const file = path.join(root, 'not-a-dir');
    fs.writeFileSync(file, 'x');
    const { io, lines } = quietIo();
    expect(await runCli(['--project', tsconfig, '--out', path.join(file, 'm.json')], io)).toBe(2);
    expect(lines.err).toEqual([
      `kestrion-compile: cannot write the manifest ${path.join(file, 'm.json')}: ${file} is a file, not a directory. Fix: point --out at a path whose parent directories are directories.`,
    ]);
  });

  it('makes compileProject throw a CompilerConfigError (code configuration) instead of an fs error', () => {
    let error: unknown;
    try {
      compileProject({ project: tsconfig, out: root });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CompilerConfigError);
    expect(error).toMatchObject({ code: 'configuration', retryable: false });
  });

  it('reports a missing tsconfig with exit code 2', async () => {
    const { io, lines } = quietIo();
    expect(await runCli(['--project', path.join(root, 'nope.json')], io)).toBe(2);
    expect(lines.err[0]).toMatch(/^kestrion-compile: tsconfig not found: .*nope\.json\. Fix: /);
  });
});
