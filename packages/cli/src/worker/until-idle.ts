import { type RunRecord, type Store, TERMINAL_STATUSES } from '@kestrion/core';
import type { Worker } from '@kestrion/scheduler';

/**
 * Whether a run of these agents is claimable now, or will be without anyone deciding anything
 * (a run throttled by a provider quota, due later). A run parked on a person is not work; a run
 * another process holds a live lease on is that process's.
 */
export async function hasWork(store: Store, agents: readonly string[], now: number): Promise<boolean> {
  let cursor: string | undefined;
  do {
    const page = await store.listRuns({
      status: ['pending', 'running', 'waiting_on_human'],
      limit: 200,
      ...(cursor !== undefined ? { cursor } : {}),
    });
    if (page.runs.some((r) => agents.includes(r.agent) && isWork(r, now))) return true;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return false;
}

function isWork(r: RunRecord, now: number): boolean {
  if (TERMINAL_STATUSES.includes(r.status)) return false;
  const leaseFree = r.leaseExpiresAtMs === null || r.leaseExpiresAtMs <= now;
  if (!leaseFree) return false;
  if (r.runnable) return true;
  if (r.nextDueAtMs !== null && r.nextDueAtMs <= now) return true;
  // Throttled: pending, not runnable until its quota has room; it needs no person.
  return r.status === 'pending' && r.nextDueAtMs !== null;
}

async function claims(worker: Worker): Promise<number> {
  return (await worker.metrics.claims.get()).values[0]?.value ?? 0;
}

/**
 * Resolves once the worker drives nothing and nothing of its agents is claimable: checked
 * twice around the store's answer, so a claim made meanwhile (counted, then running) is seen.
 */
export async function untilIdle(
  worker: Worker,
  store: Store,
  agents: readonly string[],
  options: { pollMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const pollMs = options.pollMs ?? 100;
  for (;;) {
    await new Promise((r) => setTimeout(r, pollMs));
    if (options.signal?.aborted || worker.state !== 'running') return;
    if (worker.activeRuns.length > 0) continue;
    const before = await claims(worker);
    if (await hasWork(store, agents, Date.now())) continue;
    if (worker.activeRuns.length > 0 || (await claims(worker)) !== before) continue;
    return;
  }
}
