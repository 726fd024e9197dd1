// A real process for crash-resume.test.ts: runs mcp-agent-main.ts from source (as jest would),
// with @kestrion/* mapped to the packages' sources.
// argv: <JSON options> (see mcp-agent-main.ts)
/* global require, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS script */
const path = require('node:path');
const Module = require('node:module');

const root = path.resolve(__dirname, '../../../..');
require('ts-node').register({
  transpileOnly: true,
  compilerOptions: { module: 'commonjs', moduleResolution: 'node', target: 'ES2022' },
});
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const m = /^@kestrion\/(core|store|agent|testing|mcp)$/.exec(request);
  if (m) request = path.join(root, 'packages', m[1], 'src', 'index.ts');
  else if (/^@kestrion\/core\/(store-kit|provider-kit)$/.test(request))
    request = path.join(root, 'packages', 'core', 'src', `${request.split('/')[2]}.ts`);
  return resolve.call(this, request, ...rest);
};

require('./mcp-agent-main.ts');
