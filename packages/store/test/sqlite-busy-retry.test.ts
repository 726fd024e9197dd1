import { retryWhileBusyFromNow } from '../src/sqlite/sqlite-busy-retry';

const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

describe('retryWhileBusyFromNow (the SQLite store reads)', () => {
  it('returns a first attempt that succeeds as it is: no promise, nothing awaited', () => {
    const attempt = jest.fn(() => 42);
    expect(retryWhileBusyFromNow(attempt, 1_000)).toBe(42);
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('throws an error that is not SQLITE_BUSY at once, without retrying', () => {
    const attempt = jest.fn(() => {
      throw new Error('no such table: kestrion_runs');
    });
    expect(() => retryWhileBusyFromNow(attempt, 1_000)).toThrow('no such table');
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('waits and retries while the first attempts find the database busy', async () => {
    let calls = 0;
    const attempt = () => {
      calls += 1;
      if (calls < 3) throw busy();
      return 'read';
    };
    const result = retryWhileBusyFromNow(attempt, 1_000);
    expect(result).toBeInstanceOf(Promise);
    await expect(result).resolves.toBe('read');
    expect(calls).toBe(3);
  });

  it('retries a busy rejection of an attempt that returned a promise', async () => {
    let calls = 0;
    const attempt = () => {
      calls += 1;
      return calls === 1 ? Promise.reject(busy()) : Promise.resolve('read');
    };
    await expect(retryWhileBusyFromNow(attempt, 1_000)).resolves.toBe('read');
    expect(calls).toBe(2);
  });

  it('gives up with the busy error once the budget is spent', async () => {
    const attempt = jest.fn(() => {
      throw busy();
    });
    await expect(retryWhileBusyFromNow(attempt, 40)).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    expect(attempt.mock.calls.length).toBeGreaterThan(1);
  });

  it('with no budget at all, rejects with the first busy error after one attempt', async () => {
    const attempt = jest.fn(() => {
      throw busy();
    });
    await expect(retryWhileBusyFromNow(attempt, 0)).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    expect(attempt).toHaveBeenCalledTimes(1);
  });
});
