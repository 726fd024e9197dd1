import { MAX_EVENT_DATA_DEPTH } from '@kestrion/core/store-kit';
import { MAX_TOOL_ARGUMENT_DEPTH, toolCallFromText, toolCallFromValue } from '@kestrion/core/provider-kit';

function nestedText(levels: number): string {
  return '{"k":'.repeat(levels - 1) + '{"k":"leaf"}' + '}'.repeat(levels - 1);
}

describe('tool arguments nested too deep', () => {
  it('leaves room under the event depth limit for the events that carry them', () => {
    expect(MAX_TOOL_ARGUMENT_DEPTH).toBeLessThanOrEqual(MAX_EVENT_DATA_DEPTH - 16);
  });

  it(`accepts ${MAX_TOOL_ARGUMENT_DEPTH} levels and returns one more as malformed with the raw text`, () => {
    const ok = nestedText(MAX_TOOL_ARGUMENT_DEPTH);
    expect(toolCallFromText('c', 't', ok)).toEqual({ id: 'c', name: 't', arguments: JSON.parse(ok) });
    const deep = nestedText(MAX_TOOL_ARGUMENT_DEPTH + 1);
    expect(toolCallFromText('c', 't', deep)).toEqual({
      id: 'c',
      name: 't',
      arguments: deep,
      malformed: true,
    });
    const deepArray = `{"a":${'['.repeat(MAX_TOOL_ARGUMENT_DEPTH)}1${']'.repeat(MAX_TOOL_ARGUMENT_DEPTH)}}`;
    expect(toolCallFromText('c', 't', deepArray)).toMatchObject({ malformed: true, arguments: deepArray });
  });

  it('never throws on absurd nesting, as text or as a decoded value', () => {
    const text = nestedText(50_000);
    expect(toolCallFromText('c', 't', text)).toMatchObject({ malformed: true });
    let value: Record<string, unknown> = { k: 'leaf' };
    for (let i = 0; i < 50_000; i++) value = { k: value };
    const call = toolCallFromValue('c', 't', value);
    expect(call.malformed).toBe(true);
    expect(typeof call.arguments).toBe('string');
  });
});
