import { ConfigurationError } from '@kestrion/core';

/** The database drivers: optional peer dependencies, installed by the user who needs one. */
export type DriverPackage = 'better-sqlite3' | 'pg';

const STORE_KIND: Record<DriverPackage, string> = { 'better-sqlite3': 'SQLite', pg: 'PostgreSQL' };

/**
 * Runs `load` (a `require` of the driver, or of the module that imports it) the first time a
 * store of that kind is opened, so a PostgreSQL-only service never installs nor loads
 * better-sqlite3 and a SQLite one never loads pg. The driver missing is the user's setup
 * problem: a ConfigurationError with the install command. Any other failure (an installed
 * driver whose own dependency or native addon is broken) is rethrown as it is.
 */
export function requiringDriver<T>(driver: DriverPackage, load: () => T): T {
  try {
    return load();
  } catch (cause) {
    if (!isDriverMissing(cause, driver)) throw cause;
    throw new ConfigurationError(
      `the ${STORE_KIND[driver]} store needs the ${driver} package: npm install ${driver}`,
      { cause },
    );
  }
}

/**
 * Node's message starts with the module asked for; a module missing *inside* the driver names
 * another one first (and the driver only in its require stack), so it is not a missing driver.
 */
function isDriverMissing(error: unknown, driver: DriverPackage): boolean {
  return (
    error instanceof Error &&
    (error as { code?: unknown }).code === 'MODULE_NOT_FOUND' &&
    error.message.startsWith(`Cannot find module '${driver}'`)
  );
}
