import { parseArgs } from 'node:util';
import { UsageError } from '@kestrion/core';

/** Parsed `kestrion-compile` arguments. */
export interface CliArgs {
  project: string;
  out?: string;
  check: boolean;
  watch: boolean;
  help: boolean;
}

/** Usage text of `kestrion-compile`. */
export const USAGE = `Usage: kestrion-compile [--project tsconfig.json] [--out kestrion.manifest.json] [--check | --watch]

Compiles every @tool method of the project into a JSON Schema tool manifest.

  -p, --project <file>  tsconfig.json of the project (default: ./tsconfig.json)
  -o, --out <file>      manifest to write (default: kestrion.manifest.json beside the tsconfig)
      --check           write nothing; exit 1 with a diff when the manifest is stale (for CI)
  -w, --watch           recompile whenever a source file changes
  -h, --help            show this help

Exit codes: 0 ok, 1 compile errors or stale manifest, 2 wrong usage or configuration
(unknown flag, tsconfig not found, --out is a directory or not writable).`;

/**
 * Parses argv (without `node` and the script). Throws a `UsageError` (code `usage`, exit code 2)
 * with a readable message on bad usage: an unknown flag, a missing value, flags that exclude
 * each other.
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let values: ReturnType<typeof parseFlags>['values'];
  try {
    ({ values } = parseFlags(argv));
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
  if (values.check && values.watch) throw new UsageError('--check and --watch cannot be combined');
  return {
    project: values.project as string,
    out: values.out,
    check: values.check === true,
    watch: values.watch === true,
    help: values.help === true,
  };
}

function parseFlags(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      project: { type: 'string', short: 'p', default: 'tsconfig.json' },
      out: { type: 'string', short: 'o' },
      check: { type: 'boolean', default: false },
      watch: { type: 'boolean', short: 'w', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}
