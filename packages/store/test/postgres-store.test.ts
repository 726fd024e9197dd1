import { describeStoreContract, postgresStoreFactory } from '@kestrion/testing';

describeStoreContract('PostgreSQL', postgresStoreFactory(), { propertyRuns: 25 });
