/**
 * The parameter names a function declares, read from its source text, or undefined when the
 * list is not a plain one (destructuring, or native/bound code). Default values and type-free
 * JavaScript are handled; a rest parameter is reported as `...name`.
 *
 * Only a cross-check (see `signatureChange`): the manifest says which argument goes where. A
 * minifier renames the names, so they are compared only as a set; their count survives.
 */
export function declaredParameters(fn: (...args: never[]) => unknown): string[] | undefined {
  const source = Function.prototype.toString.call(fn);
  const open = source.indexOf('(');
  if (open < 0) return undefined;
  let depth = 0;
  let close = -1;
  let quote: string | undefined;
  for (let i = open; i < source.length; i++) {
    const ch = source[i] as string;
    if (quote !== undefined) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) {
        close = i;
        break;
      }
    }
  }
  if (close < 0) return undefined;
  const list = source
    .slice(open + 1, close)
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '');
  const names: string[] = [];
  for (const raw of splitTopLevel(list)) {
    const param = raw.trim();
    if (param === '') continue;
    const match = /^(\.\.\.)?\s*([A-Za-z_$][\w$]*)\s*(=[\s\S]*)?$/.exec(param);
    if (match === null) return undefined;
    names.push(`${match[1] ?? ''}${match[2] as string}`);
  }
  return names;
}

function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const ch = list[i];
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(list.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(list.slice(start));
  return parts;
}
