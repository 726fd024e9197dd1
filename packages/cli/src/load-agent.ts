import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Agent } from '@kestrion/agent';
import { ConfigurationError, UsageError } from '@kestrion/core';

/** What a module must export for the CLI to drive it: an `Agent` of `@kestrion/agent`. */
export interface LoadedAgent {
  agent: Agent;
  /** The export it was found under (`default` or `--export`'s name). */
  exportName: string;
  file: string;
}

const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx']);
const ESM_EXTENSIONS = new Set(['.mjs', '.mts']);

/**
 * An Agent by its shape, not `instanceof`: a module in the user's project imports its own copy of
 * `@kestrion/agent`, whose class is another object than the CLI's.
 */
export function isAgent(value: unknown): value is Agent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.name === 'string' &&
    ['engine', 'run', 'submit', 'resume', 'approve', 'reject', 'cancel', 'fork', 'replay', 'trace'].every(
      (m) => typeof v[m] === 'function',
    )
  );
}

/**
 * Loads an agent module: JavaScript as Node loads it, TypeScript compiled on the fly by tsx
 * (esbuild; the module's own tsconfig decides legacy `experimentalDecorators` or standard
 * decorators), with no build step. Returns the `Agent` exported as `default`, or under
 * `exportName`; anything else is a `ConfigurationError` naming the exports found and the fix.
 */
export async function loadAgent(modulePath: string, exportName?: string): Promise<LoadedAgent> {
  const file = resolve(modulePath);
  if (!existsSync(file))
    throw new ConfigurationError(
      `agent module ${modulePath} does not exist (resolved to ${file}). Fix: pass the path of a .ts or .js file that exports an Agent`,
    );
  const exports = await importModule(file);
  return pickAgent(exports, modulePath, file, exportName);
}

async function importModule(file: string): Promise<Record<string, unknown>> {
  const ext = extname(file);
  if (ESM_EXTENSIONS.has(ext)) {
    if (ext === '.mts') {
      // tsx's ESM API, imported as an ES module: its CommonJS build cannot find its own hooks (4.23).
      const { tsImport } = (await import('tsx/esm/api')) as typeof import('tsx/esm/api');
      return (await tsImport(pathToFileURL(file).href, pathToFileURL(__filename).href)) as Record<
        string,
        unknown
      >;
    }
    return importEsm(file);
  }
  if (!TS_EXTENSIONS.has(ext)) return requireOrImport(file);
  // Registered for the whole process, not in a tsx namespace: a namespace keeps a module cache of
  // its own, so @kestrion/core would load twice and its error classes would differ from the CLI's.
  // tsx compiles TypeScript only; the CLI's own JavaScript is required as before.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('tsx/cjs/api') as typeof import('tsx/cjs/api')).register();
  return requireOrImport(file);
}

async function requireOrImport(file: string): Promise<Record<string, unknown>> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(file) as Record<string, unknown>;
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_REQUIRE_ESM') throw error;
    return importEsm(file);
  }
}

/** An ES module (`.mjs`, or `.js` in a `"type": "module"` package): Node's own `import()`. */
async function importEsm(file: string): Promise<Record<string, unknown>> {
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}

function pickAgent(
  exports: Record<string, unknown>,
  modulePath: string,
  file: string,
  exportName: string | undefined,
): LoadedAgent {
  // A CommonJS `module.exports = agent`, or an ES module's default export.
  if (exportName === undefined && isAgent(exports))
    return { agent: exports, exportName: 'module.exports', file };
  const names = Object.keys(exports).filter((n) => n !== '__esModule');
  const found = names.length > 0 ? names.map((n) => `${n} (${describe(exports[n])})`).join(', ') : 'none';
  const agents = names.filter((n) => isAgent(exports[n]));
  const wanted = exportName ?? 'default';
  const value = exports[wanted];
  if (isAgent(value)) return { agent: value, exportName: wanted, file };
  if (exportName !== undefined && !(exportName in exports))
    throw new UsageError(
      `${modulePath} has no export named ${JSON.stringify(exportName)}; its exports: ${found}.` +
        (agents.length > 0 ? ` Fix: --export ${agents[0]}` : ''),
    );
  const fix =
    agents.length > 0
      ? `pass --export ${agents.join(' or --export ')}`
      : 'export one: `export default new Agent(new MyAgent(), { provider, store: process.env.KESTRION_STORE ?? "sqlite://kestrion.db", model })`, or name another export with --export <name>';
  throw new ConfigurationError(
    `${modulePath} does not export an Agent as ${exportName === undefined ? 'its default export' : JSON.stringify(wanted)}; its exports: ${found}. Fix: ${fix}`,
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function')
    return /^class\b/.test(Function.prototype.toString.call(value)) ? 'a class' : 'a function';
  if (typeof value === 'object') {
    const ctor = (value as object).constructor?.name;
    return ctor && ctor !== 'Object' ? `${/^[AEIOU]/.test(ctor) ? 'an' : 'a'} ${ctor}` : 'an object';
  }
  return `a ${typeof value}`;
}
