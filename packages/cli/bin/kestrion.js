#!/usr/bin/env node
'use strict';
// Committed, unlike dist/: npm links a package's bin only when its target exists at install
// time, and in a fresh clone dist/ is built after `npm ci`. This shim always exists.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(
    'kestrion: the CLI is not built (dist/cli.js is missing). Fix: run `npm run build` at the repository root.\n',
  );
  process.exit(1);
}
require(cli);
