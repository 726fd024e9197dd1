/** ms that `fn` takes. (Its own file: child processes import it without bench-util's imports.) */
export async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}
