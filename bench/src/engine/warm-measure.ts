const WARM_MS = 1500;
const MEASURED = 3;

/**
 * Warms `run` up for at least `minWarmups` runs and at least 1,500 ms (a 6 ms run needs
 * many more runs than a 450 ms one before the JIT settles), then returns the median ms of
 * 3 measured runs. `run(i)` gets a fresh index for each call.
 */
export async function measure(run: (i: number) => Promise<number>, minWarmups: number): Promise<number> {
  let i = 0;
  const t0 = performance.now();
  while (i < minWarmups || performance.now() - t0 < WARM_MS) await run(i++);
  const xs: number[] = [];
  for (let k = 0; k < MEASURED; k++) xs.push(await run(i++));
  return xs.sort((a, b) => a - b)[MEASURED >> 1] as number;
}
