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
export type { PostgresFactoryOptions } from './store/store-factories';
export { arbitraryRunLog } from './store/random-log';
export { createTestDatabase, TEST_PG_ADMIN_URL } from './postgres/test-database';
export type { TestDatabase } from './postgres/test-database';
export { childScript } from './children/child-script';
export { describeQuotaContract, QUOTA_T0 } from './quota/quota-contract';
export type { QuotaContractOptions } from './quota/quota-contract';
export { inMemoryQuotaFactory, sqliteFileQuotaFactory, postgresQuotaFactory } from './quota/quota-factories';
export type { QuotaStoreFactory, QuotaConnection } from './quota/quota-factories';
export { maxWindowLoad, maxConcurrent } from './quota/window-load';
export type { TimedRequest, WindowLoad } from './quota/window-load';
// ScriptedProvider lives in @kestrion/core/provider-kit (a runtime home); re-exported for tests.
export { ScriptedProvider, ScriptExhaustedError } from '@kestrion/core/provider-kit';
export type { ScriptedTurn } from '@kestrion/core/provider-kit';
export { crashAt, runCrashMatrix, readRun, appliedCounts } from './crash/crash-harness';
export type { CrashTarget, CrashPoint, CrashOutcome, CrashTrial, CrashMatrix } from './crash/crash-harness';
export { CRASH_STORES, openCrashTarget } from './crash/crash-target';
export type { CrashStoreKind, DisposableCrashTarget } from './crash/crash-target';
export { crashProblems, effectProblems, eventLabels, normalizedLabels } from './crash/crash-compare';
export type { ComparableRun } from './crash/crash-compare';
export {
  ambiguousTrial,
  racingResumers,
  zombieTrial,
  sweepRace,
  acceptedRunTrial,
  durableAppendTrial,
} from './crash/crash-trials';
export type {
  AmbiguousTrial,
  RaceTrial,
  ZombieTrial,
  SweepTrial,
  AcceptedTrial,
  DurableAppendTrial,
} from './crash/crash-trials';
export { crashScenario, IDEMPOTENT_TOOLS, NON_IDEMPOTENT_TOOLS } from './crash/crash-scenario';
export type { CrashScenarioName, CrashScenarioOptions } from './crash/crash-scenario';
export { EffectLedger } from './crash/effect-ledger';
export type { LedgerEntry } from './crash/effect-ledger';
export { KillingStore } from './crash/killing-store';
export type { KillPoints } from './crash/killing-store';
export { spawnCrashChild, runCrashChild } from './crash/crash-process';
export type { CrashProcess } from './crash/crash-process';
export type {
  CrashChildConfig,
  CrashChildMode,
  CrashChildReport,
  ChildRunResult,
} from './crash/crash-protocol';
export { FakeModelServer } from './fakes/fake-model-server';
export type { RenderedBody } from './fakes/fake-model-server';
export { FakeAnthropicServer } from './fakes/fake-anthropic-server';
export { FakeOpenAIServer } from './fakes/fake-openai-server';
export { FakeOllamaServer } from './fakes/fake-ollama-server';
export {
  CountingOpenAIServer,
  ARRIVALS_PATH,
  arrivalsLoad,
  fakePromptTokens,
  fetchArrivals,
  scaledClock,
} from './fakes/counting-openai-server';
export type { CountingServerOptions, ServerArrival } from './fakes/counting-openai-server';
export { spawnCountingServer } from './fakes/counting-server-process';
export type { CountingServerProcess, CountingServerProcessOptions } from './fakes/counting-server-process';
export type { FakeTurn, FakeReply, FakeToolCall, FakeUsage, RecordedRequest } from './fakes/fake-turn';
export { describeProviderContract } from './providers/provider-contract';
export type { ProviderContractSubject, ContractProviderOptions } from './providers/provider-contract';
export { fuzzedToolArguments } from './providers/fuzzed-tool-arguments';
export type { FuzzedArguments } from './providers/fuzzed-tool-arguments';
export { describeLiveSmoke } from './providers/live-smoke';
export type { LiveSmokeOptions } from './providers/live-smoke';
export { terminateBackendsEvery } from './postgres/backend-terminator';
export type { BackendTerminator } from './postgres/backend-terminator';
export { runsUnderTerminations } from './postgres/runs-under-terminations';
export type { TerminationTrialOptions, TerminationTrialReport } from './postgres/runs-under-terminations';
