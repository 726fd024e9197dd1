// @kestrion/testing — contract suites, fakes and harnesses for Kestrion and its users' tests.
export { describeStoreContract } from './store/store-contract';
export type { StoreContractOptions } from './store/store-contract';
export type { StoreFactory, StoreOpenOptions, Corruption } from './store/store-factory';
export {
  inMemoryStoreFactory,
  sqliteMemoryStoreFactory,
  sqliteFileStoreFactory,
  postgresStoreFactory,
} from './store/store-factories';
export { arbitraryRunLog } from './store/random-log';
export { createTestDatabase, TEST_PG_ADMIN_URL } from './postgres/test-database';
export type { TestDatabase } from './postgres/test-database';
export { childScript } from './children/child-script';
export { ScriptedProvider, ScriptExhaustedError } from './providers/scripted-provider';
export type { ScriptedTurn } from './providers/scripted-provider';
