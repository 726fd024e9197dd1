import type { Redactor, Store } from '@kestrion/core';

export interface StoreOpenOptions {
  redact?: Redactor;
  maxEventBytes?: number;
}

/** Ways to damage a stored run, to prove that reads refuse it. */
export type Corruption = 'gap' | 'garbage' | 'future-version';

/**
 * What the contract suite needs from an implementation. `corrupt` edits rows behind the
 * store's back.
 */
export interface StoreFactory {
  /** Runs once before the suite (create a database, a temp dir). */
  setup?(): Promise<void>;
  open(options?: StoreOpenOptions): Promise<Store>;
  /** True when other processes can open the same data through `url()`. */
  shared: boolean;
  /** A URL that `openStore` in a child process opens onto the same data (after setup). */
  url(): string;
  corrupt(store: Store, runId: string, seq: number, kind: Corruption): Promise<void>;
  /** Replaces the stored state of every snapshot of the run with `stateText` (a damaged cache). */
  corruptSnapshots(store: Store, runId: string, stateText: string): Promise<void>;
  /**
   * Moves a whole run (events, snapshots, runs row) to `newRunId` behind the store's back: an
   * id that append refuses (a control character) but a database holds, as an older writer or
   * a hand edit could have left it.
   */
  renameRun(store: Store, runId: string, newRunId: string): Promise<void>;
  /** Called once after the suite. */
  dispose?(): Promise<void>;
}
