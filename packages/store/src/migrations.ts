import { type Kysely, type Migration, type MigrationProvider, Migrator, SqliteAdapter, sql } from 'kysely';
import { StoreError } from '@kestrion/core';

/**
 * Migrations ship in code (no files to copy next to the bundle). Each is written to be safe
 * when two processes open the same database at once. Append only: never edit a released one.
 */
export const migrations: Record<string, Migration> = {
  '0001_event_log': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('kestrion_events')
        .ifNotExists()
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('v', 'integer', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('cost', 'text')
        // Clustered by (run_id, seq): reading a run is one range scan.
        .addPrimaryKeyConstraint('kestrion_events_pk', ['run_id', 'seq'])
        .addUniqueConstraint('kestrion_events_event_id_uq', ['run_id', 'event_id'])
        .execute();
      await db.schema
        .createTable('kestrion_runs')
        .ifNotExists()
        .addColumn('run_id', 'text', (c) => c.primaryKey())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('waiting_reason', 'text')
        .addColumn('head_seq', 'integer', (c) => c.notNull())
        .addColumn('agent', 'text', (c) => c.notNull())
        .addColumn('parent_run_id', 'text')
        .addColumn('pending_approvals', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('lease_owner', 'text')
        .addColumn('lease_epoch', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('lease_expires_at_ms', 'bigint')
        .execute();
      await db.schema
        .createIndex('kestrion_runs_status_idx')
        .ifNotExists()
        .on('kestrion_runs')
        .columns(['status', 'updated_at'])
        .execute();
      await db.schema
        .createIndex('kestrion_runs_created_idx')
        .ifNotExists()
        .on('kestrion_runs')
        .columns(['created_at', 'run_id'])
        .execute();
      await db.schema
        .createIndex('kestrion_runs_agent_idx')
        .ifNotExists()
        .on('kestrion_runs')
        .columns(['agent', 'created_at'])
        .execute();
      await db.schema
        .createIndex('kestrion_runs_parent_idx')
        .ifNotExists()
        .on('kestrion_runs')
        .column('parent_run_id')
        .execute();
      await db.schema
        .createTable('kestrion_snapshots')
        .ifNotExists()
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('fold_version', 'integer', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('kestrion_snapshots_pk', ['run_id', 'fold_version', 'seq'])
        .execute();
    },
  },
  '0002_runs_status_index_without_updated_at': {
    // Every append moves updated_at; keeping it in the status index rewrote an index entry per
    // append (an extra page in every commit). Claims filter by status and sort the few runnable
    // runs; that needs no index on updated_at.
    async up(db: Kysely<unknown>) {
      await db.schema.dropIndex('kestrion_runs_status_idx').ifExists().execute();
      await db.schema
        .createIndex('kestrion_runs_status_only_idx')
        .ifNotExists()
        .on('kestrion_runs')
        .column('status')
        .execute();
    },
  },
  '0003_sqlite_events_clustered': {
    // SQLite only: a WITHOUT ROWID table is stored in (run_id, seq) order, so a run's events
    // are one range of the primary key and every append writes one b-tree fewer (no separate
    // rowid table beside the key). PostgreSQL keeps its heap plus primary key index.
    async up(db: Kysely<unknown>) {
      if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return;
      await sql`create table kestrion_events_clustered (
        run_id text not null, seq integer not null, event_id text not null, type text not null,
        v integer not null, at text not null, data text not null, cost text,
        primary key (run_id, seq), unique (run_id, event_id)) without rowid`.execute(db);
      await sql`insert into kestrion_events_clustered (run_id, seq, event_id, type, v, at, data, cost)
        select run_id, seq, event_id, type, v, at, data, cost from kestrion_events`.execute(db);
      await sql`drop table kestrion_events`.execute(db);
      await sql`alter table kestrion_events_clustered rename to kestrion_events`.execute(db);
    },
  },
  '0004_runs_scheduling_fields': {
    // RunRecord's scheduling fields (projectRunRecord): approval deadlines as JSON text, the
    // earliest of them, the child run a parent waits on, and whether a worker may claim it.
    // Rows written before this migration get the values of a run with no deadline and no
    // child: runnable for pending/running, as claimNext has always treated them.
    async up(db: Kysely<unknown>) {
      await sql`alter table kestrion_runs add column approval_deadlines text not null default '{}'`.execute(
        db,
      );
      await sql`alter table kestrion_runs add column next_due_at_ms bigint`.execute(db);
      await sql`alter table kestrion_runs add column waiting_on_run text`.execute(db);
      await sql`alter table kestrion_runs add column runnable integer not null default 0`.execute(db);
      await sql`update kestrion_runs set runnable = 1 where status in ('pending', 'running')`.execute(db);
    },
  },
  '0005_runs_metadata': {
    // RunRecord.metadata, from run.started: listRuns filters by it. PostgreSQL keeps jsonb with
    // a GIN index for containment (`metadata @> '{"tenant":"acme"}'`); the value never changes
    // after the first append, so appends stay HOT updates. SQLite keeps JSON text and filters
    // with json_each. Runs from before this migration were started without metadata: '{}'.
    async up(db: Kysely<unknown>) {
      if (db.getExecutor().adapter instanceof SqliteAdapter) {
        await sql`alter table kestrion_runs add column metadata text not null default '{}'`.execute(db);
        return;
      }
      await sql`alter table kestrion_runs add column metadata jsonb not null default '{}'`.execute(db);
      await sql`create index if not exists kestrion_runs_metadata_idx on kestrion_runs
        using gin (metadata jsonb_path_ops)`.execute(db);
    },
  },
  '0006_quotas': {
    // The shared provider quotas (quotaStoreFor): a row per bucket (provider:model), locked by
    // a PostgreSQL reservation and holding a 429's pause, and the bucket's reservations while
    // they count (in flight, or settled less than a window ago). Same SQL on both dialects.
    async up(db: Kysely<unknown>) {
      await sql`create table if not exists kestrion_quota_buckets (
        bucket text primary key, paused_until_ms bigint)`.execute(db);
      await sql`create table if not exists kestrion_quota_reservations (
        bucket text not null, id text not null, tokens bigint not null,
        expires_at_ms bigint not null, settled_at_ms bigint,
        primary key (bucket, id))`.execute(db);
    },
  },
  '0007_runs_queue': {
    // The runs table as the queue (ClaimRequest): a run's priority and concurrency key (from
    // run.started), and the indexes a claim reads. Claims take runnable rows by priority, then
    // age (created_at, which never changes, so appends do not move index entries), and rows
    // whose next_due_at_ms has passed (an expired approval deadline, a quota throttle run out).
    // PostgreSQL also notifies kestrion_runnable when a row becomes runnable, so idle workers
    // claim it at once (postgresWakeups); the trigger fires in the appending transaction and
    // PostgreSQL delivers the notification when it commits. (0009 replaces the triggers.)
    async up(db: Kysely<unknown>) {
      await sql`alter table kestrion_runs add column priority integer not null default 0`.execute(db);
      await sql`alter table kestrion_runs add column concurrency_key text`.execute(db);
      await sql`create index if not exists kestrion_runs_claim_idx on kestrion_runs (priority desc, created_at)
        where runnable = 1 or next_due_at_ms is not null`.execute(db);
      await sql`create index if not exists kestrion_runs_key_idx on kestrion_runs (concurrency_key)
        where concurrency_key is not null`.execute(db);
      if (db.getExecutor().adapter instanceof SqliteAdapter) return;
      await sql`create or replace function kestrion_notify_runnable() returns trigger language plpgsql as $$
        begin
          perform pg_notify('kestrion_runnable', new.agent);
          return null;
        end $$`.execute(db);
      await sql`create trigger kestrion_runs_runnable_insert after insert on kestrion_runs
        for each row when (new.runnable = 1) execute function kestrion_notify_runnable()`.execute(db);
      await sql`create trigger kestrion_runs_runnable_update after update of runnable on kestrion_runs
        for each row when (new.runnable = 1 and old.runnable = 0) execute function kestrion_notify_runnable()`.execute(
        db,
      );
    },
  },
  '0008_quota_reserve_function': {
    // PostgreSQL only: a reservation as one server-side call. Its transaction locks the bucket's
    // row; done as seven statements from the client, the lock was held across seven round trips
    // and the reserving process's event-loop turns, so every worker's model call queued behind
    // every other's (the scale benchmark: 4 workers slower than 1). In a function the lock is
    // held for the statements' execution only. Each statement of a VOLATILE plpgsql function
    // reads a fresh snapshot, so the sums, taken after the lock, see every reservation that
    // committed before it. `set search_path from current` pins the tables of the schema the
    // migration ran in. The decision is quotaRefusals' (core), written in SQL.
    async up(db: Kysely<unknown>) {
      if (db.getExecutor().adapter instanceof SqliteAdapter) return;
      await sql`create or replace function kestrion_quota_reserve(
          p_bucket text, p_id text, p_tokens bigint, p_now bigint, p_expires bigint,
          p_rpm bigint, p_tpm bigint, p_concurrent bigint, p_counted_for bigint)
        returns table (granted boolean, requests bigint, tokens bigint, in_flight bigint, paused_until_ms bigint)
        language plpgsql volatile set search_path from current as $$
        declare
          v_paused bigint; v_requests bigint; v_tokens bigint; v_in_flight bigint;
        begin
          insert into kestrion_quota_buckets (bucket) values (p_bucket) on conflict do nothing;
          select b.paused_until_ms into v_paused from kestrion_quota_buckets b where b.bucket = p_bucket for update;
          if exists (select 1 from kestrion_quota_reservations r where r.bucket = p_bucket and r.id = p_id) then
            return query select true, 0::bigint, 0::bigint, 0::bigint, v_paused;
            return;
          end if;
          delete from kestrion_quota_reservations r where r.bucket = p_bucket
            and coalesce(r.settled_at_ms, r.expires_at_ms) + p_counted_for <= p_now;
          select count(*), coalesce(sum(r.tokens), 0),
              count(*) filter (where r.settled_at_ms is null and r.expires_at_ms > p_now)
            into v_requests, v_tokens, v_in_flight
            from kestrion_quota_reservations r where r.bucket = p_bucket
              and coalesce(r.settled_at_ms, r.expires_at_ms) + p_counted_for > p_now;
          if (v_paused is not null and p_now < v_paused)
            or (p_concurrent is not null and v_in_flight + 1 > p_concurrent)
            or (p_rpm is not null and v_requests + 1 > p_rpm)
            or (p_tpm is not null and v_tokens + p_tokens > p_tpm) then
            return query select false, v_requests, v_tokens, v_in_flight, v_paused;
            return;
          end if;
          insert into kestrion_quota_reservations (bucket, id, tokens, expires_at_ms)
            values (p_bucket, p_id, p_tokens, p_expires);
          return query select true, v_requests, v_tokens, v_in_flight, v_paused;
        end $$`.execute(db);
    },
  },
  '0009_runnable_notify_from_appends': {
    // PostgreSQL only: the appends notify kestrion_runnable themselves (postgres-append-statements),
    // only when a run becomes claimable. The triggers of 0007 made PostgreSQL fetch the old row
    // again on every update of the runs table, appends and lease writes alike, though their WHEN
    // let almost none through: 5-10% of the server's CPU per append with 100 runs
    // appending at once (PostgreSQL 15).
    async up(db: Kysely<unknown>) {
      if (db.getExecutor().adapter instanceof SqliteAdapter) return;
      await sql`drop trigger if exists kestrion_runs_runnable_insert on kestrion_runs`.execute(db);
      await sql`drop trigger if exists kestrion_runs_runnable_update on kestrion_runs`.execute(db);
      await sql`drop function if exists kestrion_notify_runnable()`.execute(db);
    },
  },
};

/** Names of every migration, oldest first. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(migrations).sort();

/**
 * The migrations, run inside a PostgreSQL schema: each sets the transaction's search_path to
 * it first (`set_config(..., true)`, undone at commit), so the released migrations create and
 * alter the tables there exactly as they were written, and no connection keeps the setting.
 */
function inSchema(schema: string): Record<string, Migration> {
  return Object.fromEntries(
    Object.entries(migrations).map(([name, m]) => [
      name,
      {
        async up(db: Kysely<unknown>) {
          await sql`select set_config('search_path', ${`"${schema}"`}, true)`.execute(db);
          await m.up(db);
        },
      },
    ]),
  );
}

/**
 * Applies the migrations a database is missing, under a lock; idempotent. With `schema`
 * (PostgreSQL), the schema is created if missing and everything goes into it, the migration
 * tables included. Returns the names applied, oldest first. `openStore` calls it only when the
 * database is behind `LATEST_MIGRATION`; `migrateStore` whenever asked.
 */
export async function migrateToLatest(db: Kysely<unknown>, schema?: string): Promise<string[]> {
  const migrator = new Migrator({
    // The migrations name bare tables (resolved through the search_path set above): kysely's
    // own schema plugin, if any, would qualify index names too, which PostgreSQL refuses.
    db: schema === undefined ? db : db.withoutPlugins(),
    provider: {
      getMigrations: async () => (schema === undefined ? migrations : inSchema(schema)),
    } satisfies MigrationProvider,
    migrationTableName: 'kestrion_migration',
    migrationLockTableName: 'kestrion_migration_lock',
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new StoreError(`migration ${failed} failed: ${(error as Error).message ?? String(error)}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
