import { describeStoreContract, postgresStoreFactory } from '@kestrion/testing';

// The whole contract on a schema of a pool the application owns: every statement, raw SQL
// included, must find the tables there, and closing a store must leave the pool usable.
describeStoreContract(
  'PostgreSQL on a schema through a pool',
  postgresStoreFactory({ schemaThroughPool: 'kestrion_app' }),
  {
    propertyRuns: 10,
  },
);
