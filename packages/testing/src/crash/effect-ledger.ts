import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { Json } from '@kestrion/core';

/** One line of the ledger: a tool invocation or a model call, as the outside world saw it. */
export interface LedgerEntry {
  kind: 'tool' | 'model';
  name: string;
  runId: string;
  /** The idempotency key the engine handed to the tool ('' for model calls). */
  key: string;
  pid: number;
  /** False when an idempotent tool recognised its key and changed nothing. */
  applied: boolean;
  result?: Json;
}

/**
 * The side system a crash scenario's tools change: a file of JSON lines, appended with one
 * write(2) each, so whatever a process recorded survives its SIGKILL (it is in the kernel's
 * page cache before `appendFileSync` returns). Shared by every process of a scenario.
 */
export class EffectLedger {
  constructor(readonly path: string) {}

  record(entry: Omit<LedgerEntry, 'pid'>): void {
    appendFileSync(this.path, JSON.stringify({ ...entry, pid: process.pid }) + '\n');
  }

  entries(): LedgerEntry[] {
    if (!existsSync(this.path)) return [];
    return readFileSync(this.path, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as LedgerEntry);
  }

  /** The entry that applied the effect with this idempotency key, if any did. */
  applied(key: string): LedgerEntry | undefined {
    return this.entries().find((e) => e.kind === 'tool' && e.key === key && e.applied);
  }
}
