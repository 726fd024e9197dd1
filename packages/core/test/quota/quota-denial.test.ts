import { UsageError } from '../../src/errors';
import { type QuotaEntry, quotaDenial } from '../../src/quota/quota-window';

describe('quotaDenial', () => {
  const request = { tokens: 10, now: 1_000 };

  it('explains a refusal with the time the refusing limit can admit the request', () => {
    const entries: QuotaEntry[] = [{ tokens: 5, settledAtMs: 950, expiresAtMs: 60_900 }];
    const denial = quotaDenial({ requestsPerMinute: 1 }, ['requests'], entries, null, request);
    expect(denial.granted).toBe(false);
    expect(denial.reason).toBe('requests');
    // The one counted request stops counting a window after it settled.
    expect(denial.retryAtMs).toBeGreaterThanOrEqual(950 + 60_000);
  });

  it('refuses to be called without a refusal, naming the contract (a store bug, not a denial)', () => {
    const call = () => quotaDenial({ requestsPerMinute: 1 }, [], [], null, request);
    expect(call).toThrow(UsageError);
    expect(call).toThrow(/called with no refusals.*refusals\.length > 0/);
  });
});
