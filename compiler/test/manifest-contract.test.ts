import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { MANIFEST_VERSION as RUNTIME_VERSION, verifyManifest } from '@kestrion/agent';
import { formatDiagnostic, ManifestCompiler, MANIFEST_VERSION, type CompileResult } from '@kestrion/compiler';
import { throwawayTsconfig } from './throwaway-tsconfig';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function compile(files: Record<string, string>): CompileResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-contract-'));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), throwawayTsconfig());
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, 'src', name), text);
  return ManifestCompiler.fromTsConfig(path.join(dir, 'tsconfig.json')).compile();
}

const BILLING = `import { agent, tool, type ToolContext } from '@kestrion/agent';
const SUPPORT = 'support';
@agent({ name: 'billing', instructions: 'Bill.' })
export class BillingAgent {
  /** Refund. @param amount Cents. @param reason Why. */
  @tool() async refund(amount: number, ctx: ToolContext, reason?: string) { return \`\${amount} \${reason} \${ctx.runId}\`; }
  /** Ping. */
  @tool() ping() { return 1; }
}
@agent({ instructions: 'No name.' })
export class Unnamed {
  /** Echo. @param text Text. */
  @tool() echo(text: string, ctx?: ToolContext) { return text + String(ctx?.runId); }
}
@agent({ name: SUPPORT, instructions: 'Named by a const.' })
export class SupportAgent {
  /** Ask. @param q The question. */
  @tool() ask(q: string) { return q; }
}
/** Tools in a base class without @agent. */
export class BaseTools {
  /** Base. @param x X. */
  @tool() base(x: string) { return x; }
}
@agent({ name: 'child', instructions: 'Inherits.' })
export class ChildAgent extends BaseTools {
  /** Own. @param y Y. */
  @tool() own(y: number) { return y; }
}
`;

describe('the version-3 manifest', () => {
  const result = compile({ 'billing.ts': BILLING });

  it('is the version @kestrion/agent reads, and loads there', () => {
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(result.manifest.version).toBe(MANIFEST_VERSION);
    expect(MANIFEST_VERSION).toBe(RUNTIME_VERSION);
    expect(() => verifyManifest(result.manifest, 'compiled')).not.toThrow();
  });

  it('keys tools by the @agent name (a literal or a const), else by the class name', () => {
    expect(Object.keys(result.manifest.tools)).toEqual([
      'BaseTools.base',
      'Unnamed.echo',
      'billing.ping',
      'billing.refund',
      'child.base',
      'child.own',
      'support.ask',
    ]);
  });

  it('lists a base class tool under the subclass id too, from the same declaration', () => {
    expect(result.manifest.tools['child.base']).toEqual(result.manifest.tools['BaseTools.base']);
  });

  it("records the model's argument names in declaration order and where the ToolContext goes", () => {
    const refund = result.manifest.tools['billing.refund'];
    expect(refund?.parameterNames).toEqual(['amount', 'reason']);
    expect(refund?.contextIndex).toBe(1);
    expect(Object.keys(refund?.parameters.properties as object)).toEqual(['amount', 'reason']);
    expect(result.manifest.tools['Unnamed.echo']).toMatchObject({
      parameterNames: ['text'],
      contextIndex: 1,
    });
    expect(result.manifest.tools['billing.ping']).toMatchObject({ parameterNames: [], contextIndex: null });
  });
});

describe('agent id problems', () => {
  it('reports a name the compiler cannot know, where it is written', () => {
    const { diagnostics } = compile({
      'dynamic.ts': `import { agent, tool } from '@kestrion/agent';
const name: string = process.env.NAME ?? 'x';
@agent({ name, instructions: 'Dynamic.' })
export class Dynamic { /** T. */ @tool() t() { return 1; } }
`,
    });
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      expect.stringMatching(
        /^src\/dynamic\.ts:3:10 - the `name` of @agent on Dynamic is not one known string \(its type is `string`\).*Fix: write the name as a string literal, e\.g\. @agent\(\{ name: 'Dynamic', \.\.\. \}\)\.$/,
      ),
    ]);
  });

  it('reports two classes with one agent id', () => {
    const { diagnostics } = compile({
      'a.ts': `import { agent, tool } from '@kestrion/agent';
@agent({ name: 'ops', instructions: 'A.' })
export class A { /** T. */ @tool() t() { return 1; } }
`,
      'b.ts': `import { agent, tool } from '@kestrion/agent';
@agent({ name: 'ops', instructions: 'B.' })
export class B { /** U. */ @tool() u() { return 1; } }
`,
    });
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      expect.stringMatching(
        /^src\/b\.ts:2:16 - agent id "ops" of class B is already the id of class A \(src\/a\.ts:2\).*Fix: give one of the classes its own id/,
      ),
    ]);
  });

  it('reports a second ToolContext parameter', () => {
    const { diagnostics } = compile({
      'two.ts': `import { tool, type ToolContext } from '@kestrion/agent';
export class Two { /** T. */ @tool() t(a: ToolContext, b: ToolContext) { return String(a.runId) + String(b.runId); } }
`,
    });
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      expect.stringContaining('Two.t, parameter "b": a tool takes at most one ToolContext'),
    ]);
  });
});
