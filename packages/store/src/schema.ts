/** Kysely table types: the database as Kestrion stores it. */
export interface EventsTable {
  run_id: string;
  seq: number;
  event_id: string;
  type: string;
  v: number;
  at: string;
  /** JSON text, kept verbatim (not jsonb): stored rows stay byte-identical forever. */
  data: string;
  cost: string | null;
}

export interface RunsTable {
  run_id: string;
  status: string;
  waiting_reason: string | null;
  head_seq: number;
  agent: string;
  parent_run_id: string | null;
  pending_approvals: number;
  created_at: string;
  updated_at: string;
  lease_owner: string | null;
  lease_epoch: number;
  /** bigint in PostgreSQL: read back as a string and converted. */
  lease_expires_at_ms: number | string | null;
  /** JSON text: approval key -> deadline in epoch ms. */
  approval_deadlines: string;
  /** bigint in PostgreSQL: read back as a string and converted. */
  next_due_at_ms: number | string | null;
  waiting_on_run: string | null;
  /** 0 or 1. */
  runnable: number;
  /**
   * The run's metadata (string keys to string values): JSON text in SQLite, jsonb in PostgreSQL
   * (read back as an object there).
   */
  metadata: string | Record<string, string>;
  /** Claim order, higher first (run.started's priority, default 0). */
  priority: number;
  concurrency_key: string | null;
}

export interface SnapshotsTable {
  run_id: string;
  fold_version: number;
  seq: number;
  state: string;
}

export interface KestrionDatabase {
  kestrion_events: EventsTable;
  kestrion_runs: RunsTable;
  kestrion_snapshots: SnapshotsTable;
}
