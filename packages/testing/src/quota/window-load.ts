/**
 * One request as a quota test saw it: the vendor saw it at some moment in
 * `[startMs, endMs]` (reserved to settled; a request the server recorded has both equal to its
 * arrival time).
 */
export interface TimedRequest {
  startMs: number;
  endMs: number;
  tokens: number;
}

/** The most requests, and the most tokens, that any window could hold. */
export interface WindowLoad {
  requests: number;
  tokens: number;
}

/**
 * The most requests and tokens a vendor could count in one window of `windowMs`, over every
 * moment each request could have been seen in. A set of requests fits in one window exactly
 * when its latest start is less than `windowMs` after its earliest end, so for each request j
 * taken as the earliest end, the worst window holds every i with `endMs >= j.endMs` and
 * `startMs < j.endMs + windowMs`. For arrival times (`startMs === endMs`) this is the plain
 * sliding-window maximum.
 */
export function maxWindowLoad(requests: readonly TimedRequest[], windowMs: number): WindowLoad {
  const byEnd = [...requests].sort((a, b) => a.endMs - b.endMs);
  let most = { requests: 0, tokens: 0 };
  for (let j = 0; j < byEnd.length; j++) {
    const first = byEnd[j] as TimedRequest;
    let count = 0;
    let tokens = 0;
    for (let i = j; i < byEnd.length; i++) {
      const r = byEnd[i] as TimedRequest;
      if (r.startMs < first.endMs + windowMs) {
        count += 1;
        tokens += r.tokens;
      }
    }
    most = { requests: Math.max(most.requests, count), tokens: Math.max(most.tokens, tokens) };
  }
  return most;
}

/** The most requests in flight at once (`[startMs, endMs)` intervals; an end frees its slot first). */
export function maxConcurrent(requests: ReadonlyArray<Pick<TimedRequest, 'startMs' | 'endMs'>>): number {
  const edges = requests.flatMap((r) => [
    { at: r.startMs, delta: 1 },
    { at: r.endMs, delta: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let current = 0;
  let most = 0;
  for (const e of edges) {
    current += e.delta;
    most = Math.max(most, current);
  }
  return most;
}
