import type { Engine } from '../engine/engine';
import type { RunView } from '../engine/run-view';
import { KestrionError, RecoveryFailedError, RunBusyError } from '../errors';

/** What one recovery sweep (`recoverRuns`) did. */
export interface RecoveryReport {
  /** Runs taken over and driven (until they ended or parked), in the order they were driven. */
  recovered: RunView[];
  /** Runs that could not be loaded or driven, each with its typed error; the sweep went on. */
  failed: RecoveryFailure[];
  /** Runs this engine was driving already (RunBusyError): not this sweep's to drive. */
  busy: string[];
}

export interface RecoveryFailure {
  runId: string;
  /**
   * Why: `CorruptLogError`, `UnsupportedVersionError`, `InvalidRunIdError`, `StoreError`
   * (`retryable`)...; an error that is not a KestrionError comes wrapped in a
   * `RecoveryFailedError` with the original as `cause`.
   */
  error: KestrionError;
}

export interface RecoverOptions {
  /** At most this many runs recovered (driven to their end or next park). Default: no limit. */
  limit?: number;
}

/**
 * One recovery sweep for one engine's agent: claims (`Store.claimNext` with
 * `agents: [engine.agent]`) every run that is `pending`, or `running` with an expired lease
 * (its driver died), and drives each with `engine.drive(lease)` until it ends or parks. Runs
 * another process holds a live lease on are not claimed.
 *
 * A run that cannot be loaded or driven (a corrupt log, an id the store refuses, a failing
 * store call) does not stop the sweep: it is listed in `failed` with its typed error, and its
 * lease is left to lapse, so neither this sweep nor any other claims it again before the
 * lease's TTL (`engine.leaseTtlMs`) has passed. Only claiming can make the sweep itself throw.
 *
 * Parked runs (`waiting_on_human`) are not claimed: they need a decision first, which moves
 * them back to `pending`.
 */
export async function recoverRuns(engine: Engine, opts: RecoverOptions = {}): Promise<RecoveryReport> {
  const report: RecoveryReport = { recovered: [], failed: [], busy: [] };
  const seen = new Set<string>();
  for (;;) {
    if (opts.limit !== undefined && report.recovered.length >= opts.limit) return report;
    const lease = await engine.store.claimNext({
      owner: engine.owner,
      ttlMs: engine.leaseTtlMs,
      now: engine.clock.now(),
      agents: [engine.agent],
    });
    if (!lease) return report;
    if (seen.has(lease.runId)) {
      // Driven once by this sweep and claimable again (it moved back to pending meanwhile, a
      // decision made elsewhere): the next sweep takes it.
      await engine.store.releaseLease(lease);
      return report;
    }
    seen.add(lease.runId);
    try {
      report.recovered.push(await engine.drive(lease));
    } catch (error) {
      if (error instanceof RunBusyError) report.busy.push(lease.runId);
      else
        report.failed.push({
          runId: lease.runId,
          error: error instanceof KestrionError ? error : new RecoveryFailedError(lease.runId, error),
        });
    }
  }
}
