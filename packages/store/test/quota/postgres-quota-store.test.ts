import { describeQuotaContract, postgresQuotaFactory } from '@kestrion/testing';

describeQuotaContract('PostgreSQL', postgresQuotaFactory());
