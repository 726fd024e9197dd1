import { ConfigurationError, type Engine, type Store } from '@kestrion/core';

/**
 * What a worker drives: an `Engine`, or anything that opens one on demand (an `Agent` of
 * `@kestrion/agent`, whose `engine()` opens its store on first use). The worker needs only
 * `engine.agent` (the name runs are recorded under), `engine.store`, `engine.leaseTtlMs` and
 * `engine.drive(lease)`.
 */
export type WorkerAgent = Engine | { engine(): Promise<Engine> };

/** The engines of a worker, by agent name, over the one store they share. */
export interface WorkerEngines {
  store: Store;
  byAgent: ReadonlyMap<string, Engine>;
  names: string[];
  leaseTtlMs: number;
}

export async function resolveEngines(agents: readonly WorkerAgent[]): Promise<WorkerEngines> {
  if (agents.length === 0)
    throw new ConfigurationError('a Worker needs at least one agent or engine to drive (options.agents)');
  const engines = await Promise.all(
    agents.map((a) => ('engine' in a && typeof a.engine === 'function' ? a.engine() : (a as Engine))),
  );
  const first = engines[0] as Engine;
  const byAgent = new Map<string, Engine>();
  for (const e of engines) {
    if (byAgent.has(e.agent))
      throw new ConfigurationError(
        `two of the worker's agents are named ${JSON.stringify(e.agent)}; a claimed run could not tell which one drives it — give one another name`,
      );
    // One claim query serves every agent, so all of them must read and lease the same runs table.
    if (e.store !== first.store)
      throw new ConfigurationError(
        `agents ${JSON.stringify(first.agent)} and ${JSON.stringify(e.agent)} use different stores; run one Worker per store`,
      );
    // The claim takes the lease; the engine renews it every third of its own TTL. Equal TTLs
    // keep that arithmetic true for every run the worker claims.
    if (e.leaseTtlMs !== first.leaseTtlMs)
      throw new ConfigurationError(
        `agents ${JSON.stringify(first.agent)} (leaseTtlMs ${first.leaseTtlMs}) and ${JSON.stringify(e.agent)} (leaseTtlMs ${e.leaseTtlMs}) differ; give every agent of one Worker the same leaseTtlMs`,
      );
    byAgent.set(e.agent, e);
  }
  return { store: first.store, byAgent, names: [...byAgent.keys()], leaseTtlMs: first.leaseTtlMs };
}
