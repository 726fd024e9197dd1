// Jest's global describe/it/expect, as the store contract (this package also serves non-jest use).
import { randomUUID } from 'node:crypto';
import type { QuotaStore } from '@kestrion/core';
import type { QuotaConnection, QuotaStoreFactory } from './quota-factories';
import { quotaAccountingContract } from './quota-contract-window';
import { quotaRaceContract } from './quota-contract-race';

export interface QuotaContractOptions {
  /** fast-check cases of the concurrent-reservers property (default 6). */
  propertyRuns?: number;
  /** Concurrent reservers, each on its own connection (default 4). */
  reservers?: number;
}

/** What every part of the quota contract gets. */
export interface QuotaContractContext {
  factory: QuotaStoreFactory;
  quota(): QuotaStore;
  /** A bucket no other test uses. */
  bucket(label?: string): string;
}

/** Epoch ms the contract's clocks start from (time is simulated: every call passes `now`). */
export const QUOTA_T0 = Date.UTC(2026, 0, 1);

/**
 * The QuotaStore contract (the port's TSDoc in `@kestrion/core`): window accounting, settle,
 * release, pause, retryAtMs, and concurrent reservers on separate connections never admitting
 * more than a limit in any window. Every implementation runs it with one call.
 */
export function describeQuotaContract(
  name: string,
  factory: QuotaStoreFactory,
  options: QuotaContractOptions = {},
): void {
  describe(`QuotaStore contract: ${name}`, () => {
    let connection: QuotaConnection | undefined;
    const ctx: QuotaContractContext = {
      factory,
      quota: () => {
        if (!connection) throw new Error('quota store not connected');
        return connection.quota;
      },
      bucket: (label = 'b') => `test:${label}-${randomUUID()}`,
    };
    beforeAll(async () => {
      await factory.setup?.();
      connection = await factory.connect();
    });
    afterAll(async () => {
      await connection?.close();
      await factory.dispose?.();
    });
    quotaAccountingContract(ctx);
    quotaRaceContract(ctx, options.propertyRuns ?? 6, options.reservers ?? 4);
  });
}
