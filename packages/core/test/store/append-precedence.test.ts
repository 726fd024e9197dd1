import { describe, expect, it } from '@jest/globals';
import { ConcurrencyError, LeaseLostError, RunIdTakenError } from '@kestrion/core';
import { decideAppend, isSameEvents, resendSpan } from '@kestrion/core/store-kit';

// The one append precedence every store shares: re-send, lease fence, head, empty append.
const lease = { runId: 'r', owner: 'a', epoch: 2, expiresAtMs: 0 };
const row = (headSeq: number, leaseOwner: string | null = 'a', leaseEpoch = 2) => ({
  headSeq,
  leaseOwner,
  leaseEpoch,
});
const base = { runId: 'r', expectedSeq: 3, count: 2, resent: false };

describe('decideAppend', () => {
  it('writes when the head is where expected and the lease is current', () => {
    expect(decideAppend({ ...base, lease, current: row(3) })).toEqual({ kind: 'write' });
  });

  it('reports a stored re-send as a duplicate before the lease fence (the lease may be gone)', () => {
    expect(decideAppend({ ...base, lease, current: row(5, null, 3), resent: true })).toEqual({
      kind: 'duplicate',
      headSeq: 5,
    });
  });

  it('fences a lost lease before the head check', () => {
    expect(() => decideAppend({ ...base, lease, current: row(5, 'b', 3) })).toThrow(LeaseLostError);
    expect(() => decideAppend({ ...base, lease, current: undefined })).toThrow(LeaseLostError);
  });

  it('refuses a moved head: RunIdTakenError for a new run under a taken id, else ConcurrencyError', () => {
    expect(() => decideAppend({ ...base, current: row(5) })).toThrow(ConcurrencyError);
    expect(() => decideAppend({ ...base, expectedSeq: 0, current: row(5) })).toThrow(RunIdTakenError);
  });

  it('writes nothing for an empty append, after the lease and head checks', () => {
    expect(decideAppend({ ...base, count: 0, current: row(3) })).toEqual({ kind: 'empty', headSeq: 3 });
    expect(() => decideAppend({ ...base, count: 0, lease, current: row(3, 'b') })).toThrow(LeaseLostError);
  });
});

describe('resendSpan and isSameEvents', () => {
  const rows = [
    { seq: 4, id: 'e4' },
    { seq: 5, id: 'e5' },
  ];
  it('give a span only when the head moved past the rows', () => {
    expect(resendSpan(rows, 3, 5)).toEqual([4, 5]);
    expect(resendSpan(rows, 3, 4)).toBeUndefined();
    expect(resendSpan(rows, 3, 3)).toBeUndefined();
    expect(resendSpan([], 3, 9)).toBeUndefined();
  });
  it('compare ids in seq order', () => {
    expect(isSameEvents(rows, ['e4', 'e5'])).toBe(true);
    expect(isSameEvents(rows, ['e5', 'e4'])).toBe(false);
    expect(isSameEvents(rows, ['e4'])).toBe(false);
  });
});
