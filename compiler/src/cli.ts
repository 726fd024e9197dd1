#!/usr/bin/env node
import { runCli } from './run-cli';

// The `kestrion-compile` bin. With --watch the process stays alive on its file watchers.
runCli(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
