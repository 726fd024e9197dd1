import { ConfigurationError } from '@kestrion/core';
import { checkTokens } from '@kestrion/mcp';
import { tokenVerifier } from '../../src/server/identity';

describe('bearer tokens', () => {
  it('finds the identity of a known token and nothing for any other', () => {
    const verify = tokenVerifier({ 'token-of-alice-0123456789': { identity: 'alice', roles: ['sre'] } });
    expect(verify('token-of-alice-0123456789')).toEqual({ identity: 'alice', roles: ['sre'] });
    expect(verify('token-of-alice-012345678')).toBeUndefined();
    expect(verify('')).toBeUndefined();
  });

  it('refuses a weak or malformed table, naming every problem at once', () => {
    expect(() => checkTokens({ short: { identity: '', roles: ['ok', ''] } })).toThrow(ConfigurationError);
    expect(() => checkTokens({ short: { identity: '', roles: ['ok', ''] } })).toThrow(
      /token #1 is shorter than 16 characters; token #1: identity must be .*; token #1: roles must be/,
    );
    expect(() => checkTokens({})).toThrow(/no tokens/);
    expect(() => checkTokens([])).toThrow(/expected an object/);
  });
});
