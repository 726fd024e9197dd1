import { describeStoreContract, inMemoryStoreFactory } from '@kestrion/testing';

describeStoreContract('InMemoryStore', inMemoryStoreFactory());
