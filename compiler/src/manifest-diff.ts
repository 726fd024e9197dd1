import type { Json, ToolManifest } from './json-types';
import { serializeManifest } from './manifest-file';
import { canonicalJson } from './signature-hash';

/** Lines of context around each change in a hunk, as in `diff -u`. */
const CONTEXT = 3;
/** Diff lines shown per tool before the rest is summarized. */
const MAX_LINES_PER_TOOL = 80;
/** Changed schema paths listed per tool before the rest is summarized. */
const MAX_PATHS_PER_TOOL = 20;

/**
 * A readable difference between the manifest on disk and the one the code implies: tools added
 * and removed, and for each changed tool the JSON paths that changed (`parameters.properties.
 * amount.maximum: 500 -> (absent)`) and a unified diff (`@@ -a,n +b,m @@`, 3 lines of context)
 * of its entry, with line numbers of the manifest as the compiler writes it. Empty when equal.
 */
export function diffManifests(onDisk: ToolManifest | undefined, fresh: ToolManifest): string {
  if (onDisk === undefined)
    return `the manifest file is missing or unreadable (${Object.keys(fresh.tools).length} tools expected)`;
  const lines: string[] = [];
  if (onDisk.version !== fresh.version) lines.push(`version: ${String(onDisk.version)} -> ${fresh.version}`);
  const oldTools = onDisk.tools ?? {};
  const oldText = serializeManifest(onDisk).split('\n');
  const newText = serializeManifest(fresh).split('\n');
  const keys = [...new Set([...Object.keys(oldTools), ...Object.keys(fresh.tools)])].sort();
  for (const key of keys) {
    const before = oldTools[key];
    const after = fresh.tools[key];
    if (before === undefined) lines.push(`+ tool ${key} (new, ${after?.source ?? '?'})`);
    else if (after === undefined) lines.push(`- tool ${key} (no longer in the code)`);
    else if (JSON.stringify(before) !== JSON.stringify(after)) {
      lines.push(`~ tool ${key} (${after.source}):`);
      const paths = changedPaths(before as unknown as Json, after as unknown as Json, '');
      const meaningful = paths.filter((p) => !/^(signatureHash|entryHash)\b/.test(p));
      const shown = meaningful.length > 0 ? meaningful : paths;
      lines.push(...shown.slice(0, MAX_PATHS_PER_TOOL).map((p) => `    changed ${p}`));
      if (shown.length > MAX_PATHS_PER_TOOL)
        lines.push(`    … and ${shown.length - MAX_PATHS_PER_TOOL} more changed paths`);
      const a = block(oldText, key);
      const b = block(newText, key);
      const hunks = unifiedHunks(a.lines, b.lines, a.start, b.start);
      lines.push(...hunks.slice(0, MAX_LINES_PER_TOOL).map((l) => `    ${l}`));
      if (hunks.length > MAX_LINES_PER_TOOL)
        lines.push(`    … ${hunks.length - MAX_LINES_PER_TOOL} more diff lines`);
    }
  }
  if (
    lines.length === 0 &&
    canonicalJson(onDisk as unknown as Json) !== canonicalJson(fresh as unknown as Json)
  )
    lines.push('the manifest differs in formatting or key order only');
  return lines.join('\n');
}

/**
 * The JSON paths at which two values differ, deepest first reached, each with both values
 * (`parameters.properties.amount.maximum: 500 -> (absent)`). Arrays are compared whole unless
 * they have the same length, then element by element.
 */
export function changedPaths(before: Json | undefined, after: Json | undefined, path: string): string[] {
  if (before !== undefined && after !== undefined && canonicalJson(before) === canonicalJson(after))
    return [];
  const bothObjects =
    isObject(before) && isObject(after)
      ? true
      : Array.isArray(before) && Array.isArray(after) && before.length === after.length;
  if (!bothObjects) return [`${path === '' ? '(root)' : path}: ${show(before)} -> ${show(after)}`];
  const keys = Array.isArray(before)
    ? before.map((_, i) => String(i))
    : [...new Set([...Object.keys(before as object), ...Object.keys(after as object)])];
  return keys.flatMap((k) =>
    changedPaths(
      (before as Record<string, Json>)[k],
      (after as Record<string, Json>)[k],
      Array.isArray(before) ? `${path}[${k}]` : path === '' ? k : `${path}.${k}`,
    ),
  );
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: Json | undefined): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The lines of one tool's entry in a serialized manifest, and the 1-based line it starts on. */
function block(lines: string[], key: string): { lines: string[]; start: number } {
  const opener = `    ${JSON.stringify(key)}: {`;
  const from = lines.indexOf(opener);
  if (from < 0) return { lines: [], start: 1 };
  let to = from + 1;
  while (to < lines.length && !/^ {4}\}/.test(lines[to] as string)) to++;
  return { lines: lines.slice(from, to + 1), start: from + 1 };
}

type Op = { kind: ' ' | '-' | '+'; text: string };

/** A unified diff (`@@ -a,n +b,m @@` hunks with {@link CONTEXT} lines of context) of two line lists. */
export function unifiedHunks(a: string[], b: string[], aStart = 1, bStart = 1): string[] {
  const ops = diffOps(a, b);
  const out: string[] = [];
  let i = 0;
  while (i < ops.length) {
    if ((ops[i] as Op).kind === ' ') {
      i++;
      continue;
    }
    // A hunk: back up CONTEXT lines, run until CONTEXT*2 unchanged lines in a row (or the end).
    const start = Math.max(0, i - CONTEXT);
    let end = i;
    let same = 0;
    while (end < ops.length && same <= CONTEXT * 2) {
      same = (ops[end] as Op).kind === ' ' ? same + 1 : 0;
      end++;
    }
    end = Math.min(ops.length, end - Math.max(0, same - CONTEXT));
    const slice = ops.slice(start, end);
    const aBefore = ops.slice(0, start).filter((o) => o.kind !== '+').length;
    const bBefore = ops.slice(0, start).filter((o) => o.kind !== '-').length;
    const aCount = slice.filter((o) => o.kind !== '+').length;
    const bCount = slice.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${aStart + aBefore},${aCount} +${bStart + bBefore},${bCount} @@`);
    out.push(...slice.map((o) => `${o.kind} ${o.text}`));
    i = end;
  }
  return out;
}

/** Line operations turning `a` into `b`: common prefix and suffix, and an LCS diff of the middle. */
function diffOps(a: string[], b: string[]): Op[] {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  )
    suffix++;
  const midA = a.slice(prefix, a.length - suffix);
  const midB = b.slice(prefix, b.length - suffix);
  const same = (lines: string[]): Op[] => lines.map((text) => ({ kind: ' ', text }));
  return [...same(a.slice(0, prefix)), ...lcsOps(midA, midB), ...same(a.slice(a.length - suffix))];
}

function lcsOps(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  if (n * m > 4_000_000)
    return [...a.map((text): Op => ({ kind: '-', text })), ...b.map((text): Op => ({ kind: '+', text }))];
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      (lcs[i] as number[])[j] =
        a[i] === b[j]
          ? ((lcs[i + 1] as number[])[j + 1] as number) + 1
          : Math.max((lcs[i + 1] as number[])[j] as number, (lcs[i] as number[])[j + 1] as number);
  const out: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push({ kind: ' ', text: a[i] as string });
      i++;
      j++;
    } else if (
      i < n &&
      (j === m || ((lcs[i + 1] as number[])[j] as number) >= ((lcs[i] as number[])[j + 1] as number))
    )
      out.push({ kind: '-', text: a[i++] as string });
    else out.push({ kind: '+', text: b[j++] as string });
  }
  return out;
}
