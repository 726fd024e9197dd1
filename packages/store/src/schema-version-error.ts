import { ConfigurationError } from '@kestrion/core';

/**
 * The database's schema is not the one this version of `@kestrion/store` works with, and the
 * store will not change it: it is behind and the store was opened with `migrate: false`, or it
 * is ahead (a newer Kestrion migrated it). Nothing was written. `current` is the newest
 * migration applied (null: no Kestrion tables), `needed` the newest this version knows.
 */
export class SchemaVersionError extends ConfigurationError {
  constructor(
    readonly current: string | null,
    readonly needed: string,
    where: string,
  ) {
    super(
      current !== null && current > needed
        ? `the store ${where} is at schema ${current}, newer than ${needed}, the newest this version of @kestrion/store knows; upgrade @kestrion/store in this process (every process on one database needs a version that knows its schema)`
        : `the store ${where} is at schema ${current ?? 'none (no Kestrion tables)'}, and this version of @kestrion/store needs ${needed}; it was opened with migrate: false, so nothing was changed. Migrate it first: await migrateStore(...) with the same URL or pool and schema (or open it once with migrate: true)`,
    );
  }
}
