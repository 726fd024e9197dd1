import { describeStoreContract, sqliteFileStoreFactory } from '@kestrion/testing';

describeStoreContract('SQLite file', sqliteFileStoreFactory());
