import type {
  AppendResult,
  ClaimRequest,
  Lease,
  LeaseRequest,
  RunMetadata,
  RunRecord,
  Snapshot,
} from '@kestrion/core';
import type { RawEventRow } from '@kestrion/core/store-kit';
import type { Kysely, RawBuilder, SqlBool } from 'kysely';
import type { EventsTable, KestrionDatabase, SnapshotsTable } from './schema';

/**
 * The fixed reads every start, approve and resume makes, as each dialect runs them fastest.
 * Everything else (listing, purging, claiming, migrating) is built with kysely.
 */
export interface StoreReads {
  /** Up to `limit` events of the run from `fromSeq` on, in seq order. */
  eventsPage(runId: string, fromSeq: number, limit: number): Promise<EventsTable[]>;
  /** The run's newest snapshot of `foldVersion` (at or below `maxSeq` when given). */
  latestSnapshot(runId: string, foldVersion: number, maxSeq?: number): Promise<SnapshotsTable | undefined>;
  run(runId: string): Promise<RunRecord | undefined>;
  /** The newest migration applied, or undefined on a database that has none yet. */
  migrationHead(): Promise<string | undefined>;
}

/** Acquire / renew / release, as each dialect commits them (see `Store` for the contract). */
export interface LeaseOperations {
  acquire(runId: string, req: LeaseRequest): Promise<Lease>;
  renew(lease: Lease, req: Omit<LeaseRequest, 'owner'>): Promise<Lease>;
  release(lease: Lease): Promise<void>;
}

/** Saving a snapshot, as each dialect commits it (see `Store.saveSnapshot` for the contract). */
export interface SnapshotWrites {
  save(snapshot: Snapshot): Promise<void>;
}

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
  /** The PostgreSQL schema of the tables, when one was configured (migrations create it). */
  readonly schema?: string;
  /** Kysely on the dialect's connection (SQLite creates it on first use). */
  readonly db: Kysely<KestrionDatabase>;
  readonly reads: StoreReads;
  append(request: AppendRequest): Promise<AppendResult>;
  readonly leases: LeaseOperations;
  readonly snapshots: SnapshotWrites;
  /** `statuses`: only these (never an ended one); undefined: any status that has not ended. */
  claimNext(request: ClaimRequest, statuses: string[] | undefined): Promise<Lease | undefined>;
  /** A condition on `kestrion_runs`: the run's metadata holds every entry of `filter` (not empty). */
  metadataMatches(filter: RunMetadata): RawBuilder<SqlBool>;
  /** Maps a driver error to Kestrion's tree (unique violations -> ConcurrencyError, ...). */
  translateError(err: unknown, runId?: string, expectedSeq?: number): unknown;
  /** Runs a write built with kysely, retrying while another process holds the lock (SQLite). */
  retryingLocks<T>(write: () => Promise<T>): Promise<T>;
  /** Called once the schema is up to date, before the store is handed out. */
  opened?(): void;
  destroy(): Promise<void>;
}
