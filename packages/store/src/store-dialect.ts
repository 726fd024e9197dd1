import type { AppendResult, ClaimRequest, Lease, RawEventRow } from '@kestrion/core';
import type { Kysely } from 'kysely';
import type { LeaseOperations } from './lease-operations';
import type { SnapshotWrites } from './snapshot-writes';
import type { StoreReads } from './store-reads';
import type { KestrionDatabase } from './schema';

/** One append, already redacted, size-checked and serialized. */
export interface AppendRequest {
  runId: string;
  expectedSeq: number;
  rows: RawEventRow[];
  lease?: Lease;
}

/**
 * What differs between SQLite and PostgreSQL, and nothing else: how appends are committed
 * leases and snapshots are committed (group commit vs one statement each), how the next run is claimed, and how driver
 * errors are translated at the boundary.
 */
export interface StoreDialect {
  readonly name: 'sqlite' | 'postgres';
  /** Kysely on the dialect's connection (SQLite creates it on first use). */
  readonly db: Kysely<KestrionDatabase>;
  readonly reads: StoreReads;
  append(request: AppendRequest): Promise<AppendResult>;
  readonly leases: LeaseOperations;
  readonly snapshots: SnapshotWrites;
  claimNext(request: ClaimRequest, statuses: string[]): Promise<Lease | undefined>;
  /** Maps a driver error to Kestrion's tree (unique violations -> ConcurrencyError, ...). */
  translateError(err: unknown, runId?: string, expectedSeq?: number): unknown;
  /** Runs a write built with kysely, retrying while another process holds the lock (SQLite). */
  retryingLocks<T>(write: () => Promise<T>): Promise<T>;
  /** Called once the schema is up to date, before the store is handed out. */
  opened?(): void;
  destroy(): Promise<void>;
}
