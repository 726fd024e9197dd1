// A real process for agent-runtime-options.test.ts: constructs an Agent on a store URL that
// cannot be opened, calls nothing for a while (an unhandled rejection would kill this process
// with exit code 1), then awaits one call and prints what it rejected with.
// argv: <store url> <manifest path>
/* global require, __dirname, setTimeout */
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
  const m = /^@kestrion\/(core|store|agent)$/.exec(request);
  if (m) request = path.join(root, 'packages', m[1], 'src', 'index.ts');
  return resolve.call(this, request, ...rest);
};

const [url, manifest] = process.argv.slice(2);
const { Agent } = require('@kestrion/agent');
const { SupportAgent } = require(path.join(__dirname, '../fixtures/runtime/deploy-agent.ts'));

const agent = new Agent(new SupportAgent(), {
  provider: { name: 'none', complete: () => Promise.reject(new Error('no model here')) },
  store: url,
  model: 'm',
  manifest,
});
setTimeout(() => {
  agent.get('run_x').then(
    () => console.log('resolved'),
    (error) => console.log(`rejected ${error.name}: ${error.message}`),
  );
}, 1500);
