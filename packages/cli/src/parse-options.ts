import { type Json, type RunMetadata, UsageError } from '@kestrion/core';

/** An integer flag value, or a UsageError naming the flag. */
export function parseInteger(value: string, flag: string, min = Number.MIN_SAFE_INTEGER): number {
  const n = Number(value);
  if (!/^[-+]?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min)
    throw new UsageError(
      `${flag} takes an integer${min > Number.MIN_SAFE_INTEGER ? ` >= ${min}` : ''} (got ${JSON.stringify(value)})`,
    );
  return n;
}

/** A JSON flag value (`--args '{"replicas":3}'`), or a UsageError naming the flag. */
export function parseJson(value: string, flag: string): Json {
  try {
    return JSON.parse(value) as Json;
  } catch (error) {
    throw new UsageError(`${flag} takes JSON (got ${JSON.stringify(value)}: ${(error as Error).message})`);
  }
}

/** `--meta key=value` pairs as run metadata (undefined when none was given). */
export function parseMetadata(pairs: readonly string[] | undefined): RunMetadata | undefined {
  if (!pairs || pairs.length === 0) return undefined;
  const metadata: Record<string, string> = {};
  for (const pair of pairs) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new UsageError(`--meta takes key=value (got ${JSON.stringify(pair)})`);
    metadata[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return metadata;
}

/** Commander's collector for a repeatable option (`--role a --role b`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
