/** Runs `work` on every item with at most `concurrency` in flight (1: one after another). */
// Its own file: the bench children import it, and bench-util's imports would slow their start.
export async function forEachConcurrently<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
}
