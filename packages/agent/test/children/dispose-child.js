// A real process for agent-dispose.test.ts: runs dispose-child-main.ts (an Agent on a store URL
// held with `await using`), from source, as jest would.
// argv: <store url> <manifest path>
/* global require, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS script */
const path = require('node:path');
const Module = require('node:module');

const root = path.resolve(__dirname, '../../../..');
require('ts-node').register({
  transpileOnly: true,
  compilerOptions: { module: 'commonjs', moduleResolution: 'node', target: 'ES2022' },
});
// @kestrion/* from source, as jest maps them.
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const m = /^@kestrion\/(core|store|agent|testing)$/.exec(request);
  if (m) request = path.join(root, 'packages', m[1], 'src', 'index.ts');
  else if (/^@kestrion\/core\/(store-kit|provider-kit)$/.test(request))
    request = path.join(root, 'packages', 'core', 'src', `${request.split('/')[2]}.ts`);
  return resolve.call(this, request, ...rest);
};

require('./dispose-child-main.ts');
