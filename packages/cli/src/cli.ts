#!/usr/bin/env node
import { runCli } from './program';

// The `kestrion` bin (bin/kestrion.js requires this file). Exits once the command is done, even
// when an agent module left a connection pool or a timer open.
runCli(process.argv.slice(2)).then(
  (code) => exit(code),
  (error: unknown) => {
    process.stderr.write(
      `kestrion: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    exit(1);
  },
);

function exit(code: number): void {
  // Let stdout drain (a pipe) before exiting.
  process.stdout.write('', () => process.exit(code));
}
