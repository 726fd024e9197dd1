import { describeStoreContract, sqliteMemoryStoreFactory } from '@kestrion/testing';

describeStoreContract('SQLite :memory:', sqliteMemoryStoreFactory());
