/** One timed measurement: how many operations took how long. */
export interface Sample {
  ops: number;
  ms: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Median throughput of the samples, operations per second. */
export function medianRate(samples: Sample[]): number {
  return median(samples.map((s) => (s.ops * 1000) / s.ms));
}

/** Median duration of the samples, milliseconds. */
export function medianMs(samples: Sample[]): number {
  return median(samples.map((s) => s.ms));
}

export async function timed(ops: number, work: () => Promise<void> | void): Promise<Sample> {
  const t0 = performance.now();
  await work();
  return { ops, ms: performance.now() - t0 };
}

/** Progress goes to stderr; the report is the only thing on stdout. */
export function progress(message: string): void {
  console.error(`  store bench: ${message}`);
}

/** Raw first on even reps, Kestrion first on odd ones, so neither always meets a warmer cache. */
export async function alternate(
  rep: number,
  raw: () => Promise<void>,
  kestrion: () => Promise<void>,
): Promise<void> {
  if (rep % 2 === 0) {
    await raw();
    await kestrion();
  } else {
    await kestrion();
    await raw();
  }
}
