import type * as Crypto from 'node:crypto';

let loaded: typeof Crypto | undefined;

/**
 * `node:crypto`, loaded on first use: importing it pulls in Node's stream modules, about 6 ms of
 * a cold process's start (the CLI, a worker, a serverless handler) that a process which has not
 * yet made an id or hashed an argument should not pay.
 */
export function nodeCrypto(): typeof Crypto {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loaded ??= require('node:crypto') as typeof Crypto);
}
