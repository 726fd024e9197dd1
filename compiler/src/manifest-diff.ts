import type { Json, ToolManifest } from './json-types';
import { canonicalJson } from './signature-hash';

/**
 * A readable difference between the manifest on disk and the one the code implies: tools
 * added and removed, and for each changed tool a line diff of its entry. Empty when equal.
 */
export function diffManifests(onDisk: ToolManifest | undefined, fresh: ToolManifest): string {
  if (onDisk === undefined)
    return `the manifest file is missing or unreadable (${Object.keys(fresh.tools).length} tools expected)`;
  const lines: string[] = [];
  if (onDisk.version !== fresh.version) lines.push(`version: ${String(onDisk.version)} -> ${fresh.version}`);
  const oldTools = onDisk.tools ?? {};
  const keys = [...new Set([...Object.keys(oldTools), ...Object.keys(fresh.tools)])].sort();
  for (const key of keys) {
    const before = oldTools[key];
    const after = fresh.tools[key];
    if (before === undefined) lines.push(`+ tool ${key} (new, ${after?.source ?? '?'})`);
    else if (after === undefined) lines.push(`- tool ${key} (no longer in the code)`);
    else if (JSON.stringify(before) !== JSON.stringify(after)) {
      lines.push(`~ tool ${key} (${after.source}):`);
      lines.push(
        ...lineDiff(pretty(before as unknown as Json), pretty(after as unknown as Json)).map(
          (l) => `    ${l}`,
        ),
      );
    }
  }
  if (
    lines.length === 0 &&
    canonicalJson(onDisk as unknown as Json) !== canonicalJson(fresh as unknown as Json)
  )
    lines.push('the manifest differs in formatting or key order only');
  return lines.join('\n');
}

function pretty(value: Json): string[] {
  return JSON.stringify(value, null, 2).split('\n');
}

/** A minimal LCS line diff: unchanged lines are skipped, changed ones marked `-`/`+`. */
function lineDiff(a: string[], b: string[]): string[] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      (lcs[i] as number[])[j] =
        a[i] === b[j]
          ? ((lcs[i + 1] as number[])[j + 1] as number) + 1
          : Math.max((lcs[i + 1] as number[])[j] as number, (lcs[i] as number[])[j + 1] as number);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      i++;
      j++;
    } else if (
      j < m &&
      (i === n || ((lcs[i] as number[])[j + 1] as number) >= ((lcs[i + 1] as number[])[j] as number))
    )
      out.push(`+ ${b[j++] as string}`);
    else out.push(`- ${a[i++] as string}`);
  }
  return out;
}
