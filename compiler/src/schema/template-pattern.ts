import { ts } from 'ts-morph';

/**
 * A regular expression (anchored) matching every string of a template literal type, such as
 * `` `order-${number}` `` -> `^order-(?:-?\d+(?:\.\d+)?)$`. Undefined when a hole holds a
 * type that has no string form the compiler can describe.
 */
export function templatePattern(type: ts.TemplateLiteralType): string | undefined {
  const body = templateBody(type);
  return body === undefined ? undefined : `^${body}$`;
}

function templateBody(type: ts.TemplateLiteralType): string | undefined {
  let out = escape(type.texts[0] ?? '');
  for (let i = 0; i < type.types.length; i++) {
    const hole = holePattern(type.types[i] as ts.Type);
    if (hole === undefined) return undefined;
    out += hole + escape(type.texts[i + 1] ?? '');
  }
  return out;
}

function holePattern(type: ts.Type): string | undefined {
  const flags = type.flags;
  if (flags & ts.TypeFlags.String) return '.*';
  if (flags & ts.TypeFlags.Number) return '(?:-?\\d+(?:\\.\\d+)?)';
  if (flags & ts.TypeFlags.Boolean) return '(?:true|false)';
  if (flags & (ts.TypeFlags.StringLiteral | ts.TypeFlags.NumberLiteral))
    return escape(String((type as ts.LiteralType).value));
  if (flags & ts.TypeFlags.BooleanLiteral) return (type as { intrinsicName?: string }).intrinsicName;
  if (flags & ts.TypeFlags.TemplateLiteral) return templateBody(type as ts.TemplateLiteralType);
  if (flags & ts.TypeFlags.StringMapping) return '.*';
  if (flags & ts.TypeFlags.Union) {
    const parts = (type as ts.UnionType).types.map(holePattern);
    return parts.every((p) => p !== undefined) ? `(?:${parts.join('|')})` : undefined;
  }
  return undefined;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
