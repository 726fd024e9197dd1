/**
 * Whether kysely holds the SQLite store's one connection: from the moment one of its queries or
 * transactions gets it until it hands it back. While it is free no kysely transaction is half
 * done, so the store's own statements (synchronous, on the same better-sqlite3 handle) run at
 * once; only while it is held do they queue behind kysely for it.
 */
export interface KyselyConnectionGate {
  held: boolean;
}
