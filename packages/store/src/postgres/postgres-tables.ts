import { createHash } from 'node:crypto';
import { ConfigurationError } from '@kestrion/core';

/**
 * Plain identifiers only (quoted anyway, so case is kept): a name that needs escaping is a
 * name a person will mistype in psql. `pg_` is reserved by PostgreSQL.
 */
const SCHEMA_NAME = /^(?!pg_)[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Where Kestrion's tables are, as the raw SQL of the PostgreSQL dialect names them. Without a
 * schema the names are bare and resolve through the connection's search_path (as they always
 * have); with one they are schema-qualified, so nothing depends on (or changes) the search_path
 * of a pool that may be the application's own.
 */
export interface PostgresTables {
  /** The schema the tables live in, or undefined for the connection's search_path. */
  readonly schema: string | undefined;
  readonly events: string;
  readonly runs: string;
  readonly snapshots: string;
  readonly migration: string;
  /**
   * Added to the names of prepared statements: a server keeps them per connection by name,
   * so two stores on two schemas sharing one pool must not give one name two texts.
   */
  readonly statementSuffix: string;
}

export function postgresTables(schema?: string): PostgresTables {
  if (schema === undefined)
    return {
      schema,
      events: 'kestrion_events',
      runs: 'kestrion_runs',
      snapshots: 'kestrion_snapshots',
      migration: 'kestrion_migration',
      statementSuffix: '',
    };
  if (!SCHEMA_NAME.test(schema))
    throw new ConfigurationError(
      `schema ${JSON.stringify(schema)} is not a plain PostgreSQL identifier; use letters, digits and _ (not starting with a digit or pg_), at most 63 characters, e.g. schema: 'kestrion'`,
    );
  const q = `"${schema}".`;
  return {
    schema,
    events: `${q}kestrion_events`,
    runs: `${q}kestrion_runs`,
    snapshots: `${q}kestrion_snapshots`,
    migration: `${q}kestrion_migration`,
    // PostgreSQL compares statement names on their first 63 bytes: a short hash, not the name.
    statementSuffix: `_${createHash('sha256').update(schema).digest('hex').slice(0, 12)}`,
  };
}
