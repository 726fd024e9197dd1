// The contract suites use jest's global describe/it/expect: importing @jest/globals would make
// this package unusable outside jest (the ScriptedProvider serves demos too).
import { randomUUID } from 'node:crypto';
import type { Store } from '@kestrion/core';
import { appendContract } from './contract-append';
import type { ContractContext } from './contract-context';
import { endingsContract } from './contract-endings';
import { inputContract } from './contract-input';
import { integrityContract } from './contract-integrity';
import { leaseContract } from './contract-leases';
import { metadataContract } from './contract-metadata';
import { processContract } from './contract-processes';
import { propertyContract } from './contract-property';
import { queueContract } from './contract-queue';
import { readContract } from './contract-read';
import { runsContract } from './contract-runs';
import type { StoreFactory } from './store-factory';

export interface StoreContractOptions {
  /** fast-check cases for the snapshot property (default 40). */
  propertyRuns?: number;
}

/**
 * The Store contract: every implementation runs it with one call from a one-line test file.
 * Multi-process tests run when the factory is `shared` (other processes can open its URL).
 */
export function describeStoreContract(
  name: string,
  factory: StoreFactory,
  options: StoreContractOptions = {},
): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store | undefined;
    const ctx: ContractContext = {
      factory,
      store: () => {
        if (!store) throw new Error('store not opened');
        return store;
      },
      newRunId: (label = 'run') => `${label}-${randomUUID()}`,
    };
    beforeAll(async () => {
      await factory.setup?.();
      store = await factory.open();
    });
    afterAll(async () => {
      await store?.close();
      await factory.dispose?.();
    });
    appendContract(ctx);
    readContract(ctx);
    runsContract(ctx);
    endingsContract(ctx);
    metadataContract(ctx);
    leaseContract(ctx);
    queueContract(ctx);
    inputContract(ctx);
    propertyContract(ctx, options.propertyRuns ?? 40);
    integrityContract(ctx);
    if (factory.shared) processContract(ctx);
  });
}
