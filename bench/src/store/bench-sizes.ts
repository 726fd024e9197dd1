/** How much each measurement does; the defaults keep the whole bench near 2 minutes on 2 cores. */
export interface BenchSizes {
  reps: number;
  singleAppends: number;
  concurrentRuns: number;
  eventsPerConcurrentRun: number;
  readRuns: number;
  eventsPerReadRun: number;
}

export const DEFAULT_SIZES: BenchSizes = {
  reps: 5,
  singleAppends: 1500,
  concurrentRuns: 100,
  eventsPerConcurrentRun: 40,
  readRuns: 50,
  eventsPerReadRun: 10_000,
};
