import { describe, expect, it } from '@jest/globals';
import { ConfigurationError, type ToolManifest } from '@kestrion/core';
import {
  agent,
  AgentNotInManifestError,
  sealToolManifest,
  StaleManifestError,
  tool,
  toolsOf,
  type ToolContext,
} from '../src/index';

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

const entry = (name: string, params: string[], contextIndex: number | null = null) => ({
  name,
  description: `${name} from manifest`,
  parameters: {
    type: 'object',
    properties: Object.fromEntries(params.map((p) => [p, {}])),
    additionalProperties: false,
  },
  parameterNames: params,
  contextIndex,
  returns: {},
  signatureHash: 'sha256:x',
  source: 'src/ops.ts:1',
});
const MANIFEST: ToolManifest = sealToolManifest({
  'Ops.apply': entry('apply', ['yaml', 'dryRun'], 2),
  'Ops.state': entry('get_state', []),
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

  it('passes the context where the manifest puts it, and none to a method that takes none', async () => {
    @agent({ name: 'mid', instructions: 'x' })
    class Mid {
      seen: unknown[][] = [];
      @tool()
      async put(key: string, ctx: ToolContext, value?: number): Promise<void> {
        this.seen.push([key, ctx, value]);
      }
      @tool()
      async bare(...rest: unknown[]): Promise<void> {
        this.seen.push(rest);
      }
    }
    const mid = new Mid();
    const manifest = sealToolManifest({
      'mid.put': entry('put', ['key', 'value'], 1),
      'mid.bare': entry('bare', []),
    });
    const [put, bare] = toolsOf(mid, { manifest });
    const ctx = { runId: 'r1' };
    await put?.invoke({ value: 7, key: 'k' }, ctx);
    await bare?.invoke({}, ctx);
    expect(mid.seen).toEqual([['k', ctx, 7], []]);
  });

  it('looks tools up under the @agent name, not the class name', () => {
    @agent({ name: 'billing', instructions: 'x' })
    class BillingAgentClassName {
      @tool()
      async refund(amount: number): Promise<number> {
        return amount;
      }
    }
    const byName = sealToolManifest({ 'billing.refund': entry('refund', ['amount']) });
    expect(toolsOf(new BillingAgentClassName(), { manifest: byName }).map((t) => t.key)).toEqual([
      'billing.refund',
    ]);
    const byClass = sealToolManifest({ 'BillingAgentClassName.refund': entry('refund', ['amount']) });
    const error = thrown(() => toolsOf(new BillingAgentClassName(), { manifest: byClass }));
    expect(error).toBeInstanceOf(AgentNotInManifestError);
    expect((error as Error).message).toBe(
      'agent "billing" (from @agent({ name })) has no tools in the given manifest (it lists BillingAgentClassName); ' +
        'the manifest was compiled before the name was set or changed: re-run `npx kestrion-compile --project tsconfig.json` (never edit the manifest by hand)',
    );
  });

  it('tells a class renamed by a minifier to take an @agent name, suggesting the id with the same tools', () => {
    const manifest = sealToolManifest({
      'OpsAgent.apply': entry('apply', ['yaml', 'dryRun'], 2),
      'OpsAgent.state': entry('get_state', []),
      'other.state': entry('state', []),
    });
    const error = thrown(() => toolsOf(new Ops(), { manifest }));
    expect(error).toBeInstanceOf(AgentNotInManifestError);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe(
      'class "Ops" has no tools in the given manifest (it lists OpsAgent, other). Without @agent({ name }) the manifest keys a class by its class name, which minifiers and bundlers rename: ' +
        'the class looks like "OpsAgent"; add @agent({ name: \'OpsAgent\', ... }) to it and re-run `npx kestrion-compile --project tsconfig.json` (never edit the manifest by hand)',
    );
  });

  it('refuses with StaleManifestError naming the tool, the agent and the compile command when a tool has no entry', () => {
    const manifest = sealToolManifest({ 'Ops.apply': entry('apply', ['yaml', 'dryRun'], 2) });
    const error = thrown(() => toolsOf(new Ops(), { manifest }));
    expect(error).toBeInstanceOf(StaleManifestError);
    expect(error).toMatchObject({ agent: 'Ops', tool: 'state' });
    expect((error as Error).message).toBe(
      'tool state of agent Ops: it is not in the manifest (no entry "Ops.state") (in the given manifest); ' +
        'the manifest is stale: re-run `npx kestrion-compile --project tsconfig.json` (never edit the manifest by hand)',
    );
  });

  it('detects a stale entry from the parameter count, the parameter order and the tool name', () => {
    const reordered = sealToolManifest({
      ...MANIFEST.tools,
      'Ops.apply': entry('apply', ['dryRun', 'yaml'], 2),
    });
    expect(() => toolsOf(new Ops(), { manifest: reordered })).toThrow(
      /^tool apply of agent Ops: the method now declares \(yaml, dryRun\) but the manifest lists \(dryRun, yaml\)/,
    );
    const fewer = sealToolManifest({ ...MANIFEST.tools, 'Ops.apply': entry('apply', ['yaml'], 1) });
    expect(() => toolsOf(new Ops(), { manifest: fewer })).toThrow(
      /the method now takes 3 parameters \(yaml, dryRun, ctx\) but the manifest lists 2 \(yaml, <ToolContext>\)/,
    );
    const noContext = sealToolManifest({
      ...MANIFEST.tools,
      'Ops.apply': entry('apply', ['yaml', 'dryRun']),
    });
    expect(() => toolsOf(new Ops(), { manifest: noContext })).toThrow(
      /the method now takes 3 parameters \(yaml, dryRun, ctx\) but the manifest lists 2 \(yaml, dryRun\)/,
    );
    const otherName = sealToolManifest({ ...MANIFEST.tools, 'Ops.state': entry('state', []) });
    expect(() => toolsOf(new Ops(), { manifest: otherName })).toThrow(
      /the code names it "get_state" but the manifest "state"/,
    );
  });

  it('does not compare renamed parameters: a minifier renames them all, and the manifest maps by position', async () => {
    const renamed = sealToolManifest({
      ...MANIFEST.tools,
      'Ops.apply': entry('apply', ['manifest', 'dry'], 2),
    });
    const ops = new Ops();
    await toolsOf(ops, { manifest: renamed })[0]?.invoke({ manifest: 'm', dry: false });
    expect(ops.calls).toEqual([['m', false, {}]]);
  });
});

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
