import { describe, expect, it } from '@jest/globals';
import 'reflect-metadata';
import { agentMetadataOf, DecoratorUsageError, toolMetadataOf, TOOLS_METADATA_KEY } from '../src/index';
import { DECORATOR_MODES, runSnippet, type DecoratorMode } from './decorator-modes';

const OPS = `
import { agent, tool } from '@kestrion/agent';
@agent({ instructions: 'Be careful.' })
export class Ops {
  @tool({ requiresApproval: ['sre', 'lead'], idempotent: true, timeoutMs: 500 })
  async apply(yaml: string, dryRun: boolean) { return yaml + dryRun; }
  @tool({ name: 'get_state', requiresApproval: (args: { env: string }) => args.env === 'prod' })
  state() { return 1; }
  helper() { return 2; }
}
export class Child extends Ops {
  @tool()
  extra(n: number) { return n; }
}
`;

const modes = Object.keys(DECORATOR_MODES) as DecoratorMode[];

describe.each(modes)('decorators compiled with %s decorators', (mode) => {
  it('records every @tool method with its options, and @agent options on the class', () => {
    const { Ops } = runSnippet(OPS, mode) as { Ops: new () => object };
    const tools = toolMetadataOf(Ops);
    expect(tools.map((t) => [t.className, t.method]).sort()).toEqual([
      ['Ops', 'apply'],
      ['Ops', 'state'],
    ]);
    expect(tools.find((t) => t.method === 'apply')?.options).toMatchObject({
      requiresApproval: ['sre', 'lead'],
      idempotent: true,
      timeoutMs: 500,
    });
    const approval = tools.find((t) => t.method === 'state')?.options.requiresApproval as (
      a: object,
    ) => boolean;
    expect([approval({ env: 'prod' }), approval({ env: 'dev' })]).toEqual([true, false]);
    expect(agentMetadataOf(Ops)?.options.instructions).toBe('Be careful.');
  });

  it('inherits tools from a base class and keys them by the declaring class', () => {
    const { Child } = runSnippet(OPS, mode) as { Child: new () => object };
    expect(
      toolMetadataOf(Child)
        .map((t) => `${t.className}.${t.method}`)
        .sort(),
    ).toEqual(['Child.extra', 'Ops.apply', 'Ops.state']);
  });

  it.each([
    ['a field', 'count = 1;'],
    ['a getter', 'get size() { return 1; }'],
    ['a static method', 'static make() { return 1; }'],
  ])('rejects @tool on %s while the class is being defined', (_what, member) => {
    const source = `import { tool } from '@kestrion/agent';\nexport class Bad {\n  @tool()\n  ${member}\n}\n`;
    expect(() => runSnippet(source, mode)).toThrow(DecoratorUsageError);
  });

  it('rejects invalid tool options and an agent without instructions', () => {
    const badName = `import { tool } from '@kestrion/agent';\nexport class B { @tool({ name: 'has space' }) m() {} }`;
    expect(() => runSnippet(badName, mode)).toThrow(/name "has space" must match/);
    const badApproval = `import { tool } from '@kestrion/agent';\nexport class B { @tool({ requiresApproval: [] as string[] }) m() {} }`;
    expect(() => runSnippet(badApproval, mode)).toThrow(/requiresApproval/);
    const badAgent = `import { agent } from '@kestrion/agent';\n@agent({ instructions: '' } as never)\nexport class A {}`;
    expect(() => runSnippet(badAgent, mode)).toThrow(/instructions/);
  });
});

describe('legacy decorators', () => {
  it('keep tool metadata through reflect-metadata next to emitDecoratorMetadata types', () => {
    const { Ops } = runSnippet(OPS, 'legacy') as { Ops: { prototype: object } };
    expect(Reflect.getOwnMetadata(TOOLS_METADATA_KEY, Ops.prototype)).toHaveLength(2);
    expect(Reflect.getMetadata('design:paramtypes', Ops.prototype, 'apply')).toEqual([String, Boolean]);
  });
});
