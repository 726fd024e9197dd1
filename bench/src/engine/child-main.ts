/**
 * Runs a bench child's `main`: a failure prints its stack and exits 1, so `runChild` in the
 * parent (execFileSync) throws with it instead of parsing a missing result line.
 */
export function runChildMain(main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
