import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// What users' declarations see of openStore: the Store port, never kysely's types.
const dts = join(__dirname, '..', 'dist', 'open-store.d.ts');

describe('openStore declarations', () => {
  it('return the Store port and name no kysely type', () => {
    if (!existsSync(dts)) throw new Error(`${dts} is missing: run \`npm run build\` first`);
    const text = readFileSync(dts, 'utf8');
    expect(text).toMatch(
      /openStore\(url\?: string, options\?: OpenStoreOptions\): Promise<Store & AsyncDisposable>/,
    );
    expect(text).toMatch(/openStore\(target: StoreTarget\): Promise<Store & AsyncDisposable>/);
    expect(text).not.toMatch(/from '(kysely|\.\/kysely-store)'|Kysely</);
  });
});
