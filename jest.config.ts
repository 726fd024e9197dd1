import type { Config } from 'jest';

// One jest entry for every package. ts-jest transpiles only (isolatedModules);
// `npm run typecheck` (tsc) is the type gate.
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/compiler', '<rootDir>/examples'],
  testMatch: ['**/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleNameMapper: {
    '^@kestrion/(core|store|testing|agent|anthropic|openai|ollama|scheduler|mcp)$':
      '<rootDir>/packages/$1/src/index.ts',
    '^@kestrion/core/(store-kit|provider-kit)$': '<rootDir>/packages/core/src/$1.ts',
    '^@kestrion/compiler$': '<rootDir>/compiler/src/index.ts',
    '^kestrion$': '<rootDir>/packages/cli/src/index.ts',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
  testTimeout: 60_000,
  // The agent suite checks trace(runId) totals against the fold for every run it writes.
  setupFilesAfterEnv: ['<rootDir>/packages/agent/test/setup/trace-totals-check.ts'],
};

export default config;
