import { describeQuotaContract, sqliteFileQuotaFactory } from '@kestrion/testing';

describeQuotaContract('SQLite file', sqliteFileQuotaFactory());
