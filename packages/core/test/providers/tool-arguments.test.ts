import { toolCallFromText, toolCallFromValue } from '@kestrion/core/provider-kit';

describe('toolCallFromText', () => {
  it('parses a JSON object into arguments', () => {
    expect(toolCallFromText('c1', 'get_pod', '{"name":"web-7"}')).toEqual({
      id: 'c1',
      name: 'get_pod',
      arguments: { name: 'web-7' },
    });
  });

  it.each(['{"name":', '', 'null', '[1,2]', '"web-7"', '42', '{"a":1}}'])(
    'returns %j as malformed with its raw text',
    (raw) => {
      expect(toolCallFromText('c1', 't', raw)).toEqual({
        id: 'c1',
        name: 't',
        arguments: raw,
        malformed: true,
      });
    },
  );

  it('refuses a __proto__ key at any depth without polluting Object.prototype', () => {
    for (const raw of ['{"__proto__":{"polluted":1}}', '{"a":[{"b":{"__proto__":{"polluted":1}}}]}']) {
      expect(toolCallFromText('c', 't', raw)).toMatchObject({ malformed: true, arguments: raw });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never throws on pathological nesting', () => {
    expect(toolCallFromText('c', 't', '['.repeat(200_000)).malformed).toBe(true);
    const deep = `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`;
    expect(() => toolCallFromText('c', 't', deep)).not.toThrow();
  });
});

describe('toolCallFromValue', () => {
  it('parses a string sent where an object belongs, as small models do', () => {
    expect(toolCallFromValue('c', 't', '{"x":1}')).toEqual({ id: 'c', name: 't', arguments: { x: 1 } });
  });

  it('keeps a decoded object and flags non-objects as malformed text', () => {
    expect(toolCallFromValue('c', 't', { x: [1] })).toEqual({ id: 'c', name: 't', arguments: { x: [1] } });
    expect(toolCallFromValue('c', 't', 7)).toEqual({ id: 'c', name: 't', arguments: '7', malformed: true });
    expect(toolCallFromValue('c', 't', undefined)).toMatchObject({ malformed: true });
  });

  it('flags a decoded object that carries an own __proto__ key', () => {
    const hostile = JSON.parse('{"ok":1,"__proto__":{"polluted":1}}') as unknown;
    expect(toolCallFromValue('c', 't', hostile).malformed).toBe(true);
  });
});
