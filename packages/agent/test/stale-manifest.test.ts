import { beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigurationError, type ToolManifest } from '@kestrion/core';
import { StaleManifestError, toolsOf } from '../src/index';
import { DECORATOR_MODES, runSnippet, type DecoratorMode } from './decorator-modes';
import { compileSnippetManifest } from './snippet-manifest';

/** The agent as it was compiled; each case below edits `refund` without recompiling. */
const REFUND_V1 = 'async refund(amount: number, reason: string)';
const agentSource = (refund: string): string => `
import { agent, tool, type ToolContext } from '@kestrion/agent';
@agent({ name: 'billing', instructions: 'You handle refunds.' })
export class Billing {
  calls: unknown[][] = [];
  /** Refund an order. @param amount Cents. @param reason Why. */
  @tool()
  ${refund} {
    this.calls.push([...arguments]);
    return 'refunded';
  }
  /** Leave a note. @param text The note. */
  @tool()
  async note(text: string, ctx?: ToolContext) {
    this.calls.push([text, ctx]);
    return 'noted';
  }
}
`;

let manifest: ToolManifest;
beforeAll(() => {
  manifest = compileSnippetManifest(agentSource(REFUND_V1));
});

const RERUN =
  ' (in the given manifest); the manifest is stale: re-run `npx kestrion-compile --project tsconfig.json`';

/** toolsOf on an instance of the edited class, compiled under one decorator mode. */
function bind(refund: string, mode: DecoratorMode) {
  const { Billing } = runSnippet(agentSource(refund), mode) as { Billing: new () => { calls: unknown[][] } };
  const instance = new Billing();
  return { instance, tools: () => toolsOf(instance, { manifest }) };
}

function refusal(refund: string, mode: DecoratorMode): StaleManifestError | undefined {
  try {
    bind(refund, mode).tools();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(StaleManifestError);
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as StaleManifestError;
  }
}

const modes = Object.keys(DECORATOR_MODES) as DecoratorMode[];

describe.each(modes)('a method edited without recompiling (%s decorators)', (mode) => {
  it('runs the code as compiled, mapping arguments by the manifest and the context to its position', async () => {
    const { instance, tools } = bind(REFUND_V1, mode);
    const [refund, note] = tools();
    const ctx = { runId: 'r1' };
    await refund?.invoke({ reason: 'duplicate', amount: 500 }, ctx);
    await note?.invoke({ text: 'hi' }, ctx);
    expect(instance.calls).toEqual([
      [500, 'duplicate'],
      ['hi', ctx],
    ]);
  });

  it.each([
    [
      'a ToolContext parameter added (it would have received the arguments in the wrong places)',
      'async refund(amount: number, reason: string, ctx?: ToolContext)',
      'the method now takes 3 parameters (amount, reason, ctx) but the manifest lists 2 (amount, reason)',
    ],
    [
      'a parameter added at the end (before, it silently received the ToolContext)',
      'async refund(amount: number, reason: string, note: string)',
      'the method now takes 3 parameters (amount, reason, note) but the manifest lists 2 (amount, reason)',
    ],
    [
      'a parameter added with a default (Function.length does not count it; the source list does)',
      "async refund(amount: number, reason: string, note = '')",
      'the method now takes 3 parameters (amount, reason, note) but the manifest lists 2 (amount, reason)',
    ],
    [
      'two parameters swapped',
      'async refund(reason: string, amount: number)',
      'the method now declares (reason, amount) but the manifest lists (amount, reason)',
    ],
  ])('refuses %s, saying what changed', (_what, refund, change) => {
    const error = refusal(refund, mode);
    expect(error?.message).toBe(
      `tool refund of agent billing: ${change}${RERUN} (never edit the manifest by hand)`,
    );
    expect(error).toMatchObject({ agent: 'billing', tool: 'refund', change });
  });
});

describe('what only design:paramtypes shows (legacy decorators with emitDecoratorMetadata)', () => {
  // A destructured parameter hides the source list from the cross-check, and a default hides
  // it from Function.length: only the emitted parameter types still count it.
  const HIDDEN = 'async refund(amount: number, reason: string, { note }: { note?: string } = {})';

  it('refuses a parameter that neither the source list nor Function.length shows', () => {
    expect(refusal(HIDDEN, 'legacy')?.change).toBe(
      'the method now takes 3 parameters but the manifest lists 2 (amount, reason)',
    );
  });

  it('refuses a primitive type that contradicts the schema', () => {
    expect(refusal('async refund(amount: string, reason: string)', 'legacy')?.change).toBe(
      "parameter amount is now a string but the manifest's schema says number",
    );
  });

  it('is missed under standard decorators, which emit no types (compile in CI with --check)', () => {
    expect(refusal(HIDDEN, 'standard')).toBeUndefined();
    expect(refusal('async refund(amount: string, reason: string)', 'standard')).toBeUndefined();
  });
});

describe('Function.length (survives minification) under standard decorators', () => {
  it('refuses a parameter added where the source list cannot be read', () => {
    expect(
      refusal('async refund(amount: number, reason: string, { note }: { note: string })', 'standard')?.change,
    ).toBe('the method now takes at least 3 parameters but the manifest lists 2 (amount, reason)');
  });
});
