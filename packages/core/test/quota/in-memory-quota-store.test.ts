import { describeQuotaContract, inMemoryQuotaFactory } from '@kestrion/testing';

describeQuotaContract('InMemoryQuotaStore', inMemoryQuotaFactory(), { propertyRuns: 20 });
